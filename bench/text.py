"""
Realistic news text for the benchmarks: a real English vocabulary with a Zipf distribution, articles of
300-1,500 words in sentences and paragraphs, and tag names of 1-4 words with initials, hyphens, numbers
and possessives.

Why it matters: search vectors, GIN updates and TOAST cost what the text makes them cost. A 250-word
vocabulary gives tiny vectors and a GIN index with a few huge posting lists; real text has tens of
thousands of distinct words, most of them rare.

The words are those of a system word list (Debian's `wamerican`: /usr/share/dict/words, about 64,000
lower-case words; or the file named by BENCH_WORDS, one word per line). A word list has no frequencies,
so ranks follow Zipf's law of abbreviation: after about 150 of the commonest English words (in their real
order), shorter words come first, with seeded jitter. Frequencies then fall as 1 / rank (Zipf, exponent
1.0), which with this vocabulary gives about 10,000 distinct words in a 20,000-article sample.
"""

import bisect
import functools
import os
import random
import re
from itertools import accumulate
from pathlib import Path

WORD_LISTS = ["/usr/share/dict/words", "/usr/share/dict/american-english"]
MIN_VOCABULARY = 50_000

# The commonest words of English news text, most frequent first (function words, then news staples).
COMMON = (
    "the of to and a in that for is on said it with was as at by he from his be have has an are but not "
    "they who will this were been their had its would or after more about one we also new year people "
    "two than up which when last she her there out over what into all first can could government state "
    "percent years some other time police city president officials no week told only just like if "
    "minister because before three million since country while most against our us them public many any "
    "where so between back month during country national still day school health could company report "
    "under those while them house party court law election workers law family world news found group "
    "money support plan program local including federal water home number officials according"
).split()

JOINERS = ["of", "and", "for", "the", "in", "on"]
SUFFIXES = ["Act", "Council", "Cup", "Party", "Court", "Bill", "Summit", "Agency", "Fund", "League"]


class Vocabulary:
    def __init__(self, seed=2026, path=None):
        words, proper = _read_words(path)
        rng = random.Random(seed)
        common = list(dict.fromkeys(COMMON))
        known = set(common)
        rest = [w for w in words if w not in known]
        rng.shuffle(rest)
        rest.sort(key=lambda word: len(word) + rng.random() * 4)  # shorter words are commoner
        self.words = common + rest
        self.cumulative = list(accumulate(1 / rank for rank in range(1, len(self.words) + 1)))
        self.proper = proper  # capitalized entries: names and places
        self._common = set(common)

    def __len__(self):
        return len(self.words)

    def word(self, rng):
        return self.words[bisect.bisect(self.cumulative, rng.random() * self.cumulative[-1])]

    def content_word(self, rng):
        """A word past the commonest ones (a tag's words are not "the" or "said")."""
        while (word := self.word(rng)) in self._common:
            pass
        return word

    def sentence(self, rng, length=None):
        length = length or max(4, int(rng.gauss(21, 8)))
        words = rng.choices(self.words, cum_weights=self.cumulative, k=length)
        for _ in range(rng.choice([0, 0, 1, 1, 2])):  # names and places, about 4% of the words
            words[rng.randrange(length)] = rng.choice(self.proper)
        if rng.random() < 0.25:
            words[rng.randrange(length)] = str(rng.choice([rng.randint(2, 99), rng.randint(1900, 2026)]))
        for _ in range(rng.choice([0, 1, 1, 2])):
            index = rng.randrange(1, length)
            if index < length - 1:
                words[index] += ","
        text = " ".join(words)
        text = text[0].upper() + text[1:]
        if rng.random() < 0.08:  # a quote
            return f"“{text},” {self.word(rng)} said."
        return text + "."

    def paragraphs(self, rng, words):
        """News paragraphs (1-3 sentences) until about `words` words."""
        paragraphs, written = [], 0
        while written < words:
            sentences = [self.sentence(rng) for _ in range(rng.choice([1, 1, 2, 2, 2, 3]))]
            paragraphs.append(" ".join(sentences))
            written += sum(s.count(" ") + 1 for s in sentences)
        return paragraphs

    def headline(self, rng):
        words = [self.word(rng) for _ in range(rng.randint(6, 13))]
        words.insert(rng.randrange(len(words)), rng.choice(self.proper))
        text = " ".join(words)
        return text[0].upper() + text[1:]

    def tag_names(self, rng, count):
        """`count` distinct tag names of 1-4 words, shaped like a newsroom's."""
        names = set()
        while len(names) < count:
            roll = rng.random()
            if roll < 0.3:  # a person: "Maria K. Lindqvist", "J.D. Okafor"
                initial = rng.choice("ABCDEFGHJKLMNPRSTW")
                first = rng.choice([f"{initial}.", f"{initial}.{rng.choice('ABCDEFGHJKLMNPRSTW')}."])
                names.add(f"{rng.choice(self.proper)} {first} {rng.choice(self.proper)}"[:100])
            elif roll < 0.5:  # a place and a topic: "Lisbon housing"
                names.add(f"{rng.choice(self.proper)} {self.content_word(rng)}")
            elif roll < 0.65:  # an institution: "U.S. Supreme Court", "Women's World Cup"
                head = rng.choice(["U.S.", "U.N.", "E.U.", f"{rng.choice(self.proper)}'s", "National"])
                names.add(f"{head} {self.content_word(rng).capitalize()} {rng.choice(SUFFIXES)}")
            elif roll < 0.75:  # numbered or hyphenated: "Covid-19 vaccine", "G-20 summit"
                stem = self.content_word(rng).capitalize()
                names.add(f"{stem}-{rng.randint(2, 99)} {self.content_word(rng)}")
            else:  # a topic phrase of 1-4 words: "climate", "cost of living"
                size = rng.choice([1, 1, 2, 2, 3, 4])
                words = [self.content_word(rng) for _ in range(size)]
                if size >= 3:
                    words[1] = rng.choice(JOINERS)
                names.add(" ".join(words).capitalize())
        return sorted(names)


def article_words(rng):
    """Words in an article: 300-1,500, most around 500-700 (a log-normal cut to the range)."""
    return min(1500, max(300, int(rng.lognormvariate(6.4, 0.35))))


@functools.cache
def vocabulary(seed=2026):
    """The Vocabulary of `seed`, built once per process (reading the word list takes half a second)."""
    return Vocabulary(seed)


def find_word_list():
    """The word list realistic text is made of (BENCH_WORDS, else the system's), or None."""
    chosen = os.environ.get("BENCH_WORDS")
    for candidate in [chosen] if chosen else WORD_LISTS:
        if Path(candidate).is_file():
            return candidate
    return None


def _read_words(path=None):
    candidate = path or find_word_list()
    if candidate is None:
        raise SystemExit(
            "no word list for realistic text: install Debian's wamerican (apt-get install wamerican, "
            "/usr/share/dict/words) or set BENCH_WORDS=/path/to/a/word/list (one word per line)"
        )
    lines = Path(candidate).read_text(encoding="utf-8", errors="replace").split()
    words = sorted({w for w in lines if re.fullmatch(r"[a-z]+", w) and len(w) > 1})
    proper = sorted({w for w in lines if re.fullmatch(r"[A-Z][a-z]{2,}", w)})
    if len(words) < MIN_VOCABULARY:
        raise SystemExit(
            f"{candidate}: {len(words):,} lower-case words, fewer than the {MIN_VOCABULARY:,} a "
            "realistic vocabulary needs"
        )
    return words, proper
