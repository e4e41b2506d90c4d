#include "cli/container_names.h"

#include <sys/random.h>

#include <array>
#include <cerrno>

#include "common/error.h"

namespace dabba::cli {
namespace {

void random_bytes(void* out, size_t size) {
  auto* p = static_cast<unsigned char*>(out);
  while (size > 0) {
    ssize_t n = ::getrandom(p, size, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw_errno("getrandom");
    }
    p += n;
    size -= static_cast<size_t>(n);
  }
}

constexpr std::array kAdjectives = {
    "admiring", "agitated",      "amazing",    "angry",       "awesome",   "blissful",
    "bold",     "boring",        "brave",      "busy",        "charming",  "clever",
    "cool",     "compassionate", "competent",  "confident",   "cranky",    "crazy",
    "dazzling", "determined",    "distracted", "dreamy",      "eager",     "ecstatic",
    "elastic",  "elated",        "elegant",    "eloquent",    "epic",      "fervent",
    "festive",  "flamboyant",    "focused",    "friendly",    "frosty",    "gallant",
    "gifted",   "goofy",         "gracious",   "happy",       "hardcore",  "heuristic",
    "hopeful",  "hungry",        "infallible", "inspiring",   "jolly",     "jovial",
    "keen",     "kind",          "laughing",   "loving",      "lucid",     "magical",
    "modest",   "musing",        "mystifying", "naughty",     "nervous",   "nice",
    "nifty",    "nostalgic",     "objective",  "optimistic",  "peaceful",  "pedantic",
    "pensive",  "practical",     "priceless",  "quirky",      "quizzical", "relaxed",
    "reverent", "romantic",      "serene",     "sharp",       "silly",     "sleepy",
    "stoic",    "strange",       "stupefied",  "suspicious",  "sweet",     "tender",
    "thirsty",  "trusting",      "unruffled",  "upbeat",      "vibrant",   "vigilant",
    "vigorous", "wizardly",      "wonderful",  "xenodochial", "youthful",  "zealous",
    "zen",
};

constexpr std::array kNouns = {
    "agnesi",      "albattani",    "allen",        "almeida",    "archimedes", "ardinghelli",
    "aryabhata",   "babbage",      "banach",       "bardeen",    "bartik",     "bell",
    "benz",        "bhabha",       "blackwell",    "bohr",       "booth",      "borg",
    "bose",        "brahmagupta",  "brown",        "carson",     "cerf",       "chandrasekhar",
    "chaplygin",   "chatelet",     "clarke",       "cohen",      "curie",      "darwin",
    "davinci",     "dijkstra",     "dirac",        "driscoll",   "dubinsky",   "easley",
    "einstein",    "elion",        "engelbart",    "euclid",     "euler",      "faraday",
    "fermat",      "fermi",        "feynman",      "franklin",   "galileo",    "gates",
    "goldberg",    "goldstine",    "goodall",      "hamilton",   "hawking",    "heisenberg",
    "hermann",     "hodgkin",      "hofstadter",   "hopper",     "hypatia",    "jackson",
    "jang",        "jennings",     "johnson",      "joliot",     "kalam",      "kepler",
    "khorana",     "kilby",        "knuth",        "kowalevski", "lalande",    "lamarr",
    "leakey",      "leavitt",      "lovelace",     "lumiere",    "mahavira",   "mayer",
    "mccarthy",    "mcclintock",   "meitner",      "mendel",     "merkle",     "minsky",
    "mirzakhani",  "morse",        "napier",       "nash",       "newton",     "nobel",
    "noether",     "northcutt",    "noyce",        "pascal",     "pasteur",    "payne",
    "perlman",     "pike",         "poincare",     "ptolemy",    "raman",      "ramanujan",
    "ride",        "ritchie",      "rosalind",     "saha",       "sammet",     "shamir",
    "shannon",     "shaw",         "shockley",     "sinoussi",   "snyder",     "spence",
    "stonebraker", "sutherland",   "swanson",      "tesla",      "thompson",   "torvalds",
    "turing",      "varahamihira", "visvesvaraya", "volhard",    "wescoff",    "wiles",
    "williams",    "wilson",       "wing",         "wozniak",    "wright",     "yalow",
    "yonath",
};

bool name_char(char c, bool first) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return !first && (c == '_' || c == '.' || c == '-');
}

}  // namespace

std::string new_container_id() {
  unsigned char raw[32];
  random_bytes(raw, sizeof raw);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id;
  id.reserve(64);
  for (unsigned char b : raw) {
    id += kHex[b >> 4];
    id += kHex[b & 15];
  }
  return id;
}

std::string generated_container_name(unsigned attempt) {
  uint32_t r[3];
  random_bytes(r, sizeof r);
  std::string name =
      std::string(kAdjectives[r[0] % kAdjectives.size()]) + "_" + kNouns[r[1] % kNouns.size()];
  if (attempt > 0) name += std::to_string(r[2] % 10);
  return name;
}

void check_container_name(const std::string& name) {
  bool ok = !name.empty() && name.size() <= 128;
  for (size_t i = 0; ok && i < name.size(); ++i) ok = name_char(name[i], i == 0);
  if (!ok)
    throw Error(Errc::kInvalidArgument, "invalid container name '" + name + "'", 0,
                "a name is letters, digits, '_', '.' and '-', starting with a letter or digit");
}

}  // namespace dabba::cli
