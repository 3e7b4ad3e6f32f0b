// The language switcher opens the same page in the other edition at the section the reader is
// looking at: section ids are the English ones in every edition, so the id is the place.
"use strict";

// The last section whose top has scrolled above the top quarter of the window, or none at the top.
function currentSectionId() {
  const line = window.innerHeight / 4;
  let current = "";
  for (const section of document.querySelectorAll("main section[id]")) {
    if (section.getBoundingClientRect().top <= line) current = section.id;
  }
  return window.scrollY > 0 ? current : "";
}

document.addEventListener("click", (event) => {
  const link = event.target.closest("a[data-edition-link]");
  if (!link) return;
  const id = currentSectionId();
  const address = new URL(link.getAttribute("href"), window.location.href);
  address.hash = id ? `#${id}` : "";
  link.href = address.href;
});
