// Shell completion as podman's: `dabba completion bash|zsh|fish` prints a script for the shell,
// which asks `dabba __complete WORD... CURRENT` for the candidates whenever TAB is pressed (the
// protocol of cobra, podman's CLI library: one candidate a line, "VALUE\tDESCRIPTION", then
// ":DIRECTIVE", 4 meaning "no file names"). So the candidates come from the verbs' own definitions
// (cli_tree.h) and the store: verbs, flags, and the names of containers, images, volumes and
// networks where a verb takes them.
#pragma once

#include <string>
#include <vector>

#include "cli/cli11_fwd.h"
#include "cli/command.h"

namespace dabba::cli {

// The completion directive bits (cobra's values).
inline constexpr int kCompleteNoSpace = 2;
inline constexpr int kCompleteNoFiles = 4;

struct Completion {
  std::vector<std::string> candidates;  // "VALUE" or "VALUE\tDESCRIPTION"
  int directive = 0;
  // Paths inside an image (run/create's command) or a container (cp NAME:PATH) complete the
  // word: print_completion lists them from its root (podman's completion of paths in a
  // container). The word as typed after "NAME:", and what goes before each candidate.
  std::string paths_in_image, paths_in_container, path_typed, path_prefix;
};

// The candidates for typed, a path inside root (relative ones too: they resolve in root, never
// out of it), each after prefix: the entries of its directory that its last part begins, "/"
// after a directory; typed naming a directory lists it, or, empty, gives it with its "/".
class ContainerRoot;
void add_paths_in(const ContainerRoot& root, const std::string& typed, const std::string& prefix,
                  Completion& c);

// What completes the last of words (the words after the program's name, the last one being the
// word under the cursor, maybe empty) under root. Store names come from the store at store_root
// ("" for none).
Completion complete_words(const CLI::App& root, const std::vector<std::string>& words,
                          const std::string& store_root);

// `dabba __complete WORD...`: prints complete_words' answer; the store is --root's among the
// words, else the default one. `__completeNoDesc` (cobra's too): without the descriptions.
int print_completion(const CLI::App& root, const std::vector<std::string>& words,
                     bool descriptions);

// The `completion` verb.
Command add_completion(CLI::App& app);

}  // namespace dabba::cli
