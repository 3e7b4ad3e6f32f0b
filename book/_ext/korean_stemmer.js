// The Korean edition's search stemmer, the browser twin of korean_search.stem (Python): Korean
// words lose their particles (KOREAN_PARTICLES, longest first, written in by Python), and what is
// left without Hangul is stemmed as English (EnglishStemmer, Sphinx's Porter stemmer).
var HANGUL = /[\uac00-\ud7a3]/;

function stripParticles(word) {
  let stripped = true;
  while (stripped) {
    stripped = false;
    for (const particle of KOREAN_PARTICLES) {
      if (word.endsWith(particle) && word.length > particle.length) {
        word = word.slice(0, -particle.length);
        stripped = true;
        break;
      }
    }
  }
  return word;
}

var Stemmer = function () {
  const english = new EnglishStemmer();
  this.stemWord = function (word) {
    word = word.toLowerCase();
    if (HANGUL.test(word)) word = stripParticles(word);
    return HANGUL.test(word) ? word : english.stemWord(word);
  };
};
