#include "cli/completion.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <map>
#include <memory>
#include <set>

#include "cli/cli_tree.h"
#include "cli/container_root.h"
#include "cli/containers.h"
#include "common/dir_stream.h"
#include "common/error.h"
#include "common/fs.h"
#include "common/userns.h"
#include "store/image_names.h"
#include "store/networks.h"
#include "store/root_path.h"
#include "store/store.h"

namespace dabba::cli {
namespace {

// What a verb's positionals name.
enum class Names { kNone, kContainers, kImages, kContainersAndImages, kVolumes, kNetworks };

// By the verb's path; `run`/`create` take an image first and then the container's command (file
// names); `network connect|disconnect` a network, then a container.
Names names_for(const std::string& path, size_t positional_index) {
  static const std::set<std::string> kContainerVerbs = {
      "attach",  "commit", "cp",     "diff",    "exec", "export",  "kill",  "logs",
      "pause",   "port",   "rename", "restart", "rm",   "start",   "stop",  "top",
      "unpause", "wait",   "exists", "inspect", "init", "cleanup", "mount", "unmount"};
  static const std::set<std::string> kImageVerbs = {"rmi",  "tag",     "untag", "push",
                                                    "save", "history", "tree"};
  const size_t space = path.rfind(' ');
  const std::string group = space == std::string::npos ? "" : path.substr(0, path.find(' '));
  const std::string verb = space == std::string::npos ? path : path.substr(space + 1);
  if (path == "run" || path == "create" || path == "container run" || path == "container create")
    return positional_index == 0 ? Names::kImages : Names::kNone;
  if (path == "inspect") return Names::kContainersAndImages;
  if (group == "image")
    return verb == "ls" || verb == "pull" || verb == "load" || verb == "import" || verb == "prune"
               ? Names::kNone
               : Names::kImages;
  if (group == "volume")
    return verb == "create" || verb == "ls" || verb == "prune" ? Names::kNone : Names::kVolumes;
  if (group == "network") {
    if (verb == "connect" || verb == "disconnect")
      return positional_index == 0 ? Names::kNetworks : Names::kContainers;
    if (verb == "reload") return Names::kContainers;
    return verb == "create" || verb == "ls" || verb == "prune" ? Names::kNone : Names::kNetworks;
  }
  if (group.empty() || group == "container") {
    if (group.empty() && kImageVerbs.contains(verb)) return Names::kImages;
    if (kContainerVerbs.contains(verb)) return Names::kContainers;
  }
  return Names::kNone;
}

// The values an option takes, where they are a fixed few or names in the store.
std::vector<std::string> option_values(const CLI::Option& option, Names* names) {
  const std::vector<std::string>& l = option.get_lnames();
  auto is = [&](const char* name) { return std::find(l.begin(), l.end(), name) != l.end(); };
  if (is("log-level")) return {"trace", "debug", "info", "warn", "error"};
  if (is("log-driver")) return {"k8s-file", "none", "passthrough"};
  if (is("restart")) return {"no", "on-failure", "always", "unless-stopped"};
  if (is("pull")) return {"always", "missing", "never", "newer"};
  if (is("userns")) return {"host", "keep-id", "nomap", "auto"};
  if (is("compression-format")) return {"gzip", "zstd"};
  if (is("network") || is("net")) {
    *names = Names::kNetworks;
    return {"none", "host", "bridge", "slirp4netns", "pasta", "container:"};
  }
  if (is("volumes-from")) *names = Names::kContainers;
  return {};
}

std::vector<std::string> store_names(const std::string& root, Names names) {
  std::vector<std::string> out;
  if (names == Names::kNone || root.empty()) return out;
  if (names == Names::kNetworks) {
    for (const Network& n : list_networks(root)) out.push_back(n.name);
    return out;
  }
  if (!path_exists(root + "/db")) return out;  // no store yet: nothing to name
  Store store = Store::open(root);
  if (names == Names::kContainers || names == Names::kContainersAndImages)
    for (const ContainerRecord& c : store.list_containers()) out.push_back(c.name);
  if (names == Names::kImages || names == Names::kContainersAndImages)
    for (const ImageEntry& e : store.list_images())
      for (const std::string& n : e.names) out.push_back(n);
  if (names == Names::kVolumes)
    for (const VolumeRecord& v : store.list_volumes()) out.push_back(v.name);
  return out;
}

void add_matching(Completion& c, const std::string& prefix, const std::string& value,
                  const std::string& description = "") {
  if (!value.starts_with(prefix)) return;
  c.candidates.push_back(description.empty() ? value : value + "\t" + description);
}

}  // namespace

Completion complete_words(const CLI::App& root, const std::vector<std::string>& words,
                          const std::string& store_root) {
  Completion c;
  if (words.empty()) return c;
  std::string cur = words.back();
  const CLI::App* app = &root;
  const CLI::Option* value_of = nullptr;  // the option whose value cur is
  size_t positional_count = 0;
  bool command_started = false;  // run's command: the rest are the container's words
  std::string image;             // run's image, once given
  size_t command_words = 0;      // the container's words before cur
  for (size_t i = 0; i + 1 < words.size(); ++i) {
    const std::string& w = words[i];
    if (value_of != nullptr) {
      value_of = nullptr;
      continue;
    }
    if (command_started) {
      ++command_words;
      continue;
    }
    if (w.size() > 1 && w[0] == '-') {
      const CLI::Option* o = find_option_upwards(*app, w.substr(0, w.find('=')));
      if (o != nullptr && o->get_expected_min() > 0 && w.find('=') == std::string::npos)
        value_of = o;
      continue;
    }
    if (positional_count == 0) {
      auto sub = app->get_subcommands([&](const CLI::App* a) { return a->check_name(w); });
      if (!sub.empty()) {
        app = sub.front();
        continue;
      }
    }
    ++positional_count;
    const std::string path = verb_path(*app);
    if (names_for(path, 0) == Names::kImages &&
        (path.ends_with("run") || path.ends_with("create"))) {
      command_started = true;
      image = w;
    }
  }
  if (command_started) {
    // The command's program: a path in the image, as podman's; its arguments: the shell's own.
    if (command_words == 0 && !cur.starts_with("-")) {
      c.paths_in_image = image;
      c.path_typed = cur;
    }
    return c;
  }

  // --opt=VALUE: the value is what completes.
  if (value_of == nullptr && cur.starts_with("-") && cur.find('=') != std::string::npos) {
    const CLI::Option* o = find_option_upwards(*app, cur.substr(0, cur.find('=')));
    if (o != nullptr && o->get_expected_min() > 0) {
      value_of = o;
      cur = cur.substr(cur.find('=') + 1);
    }
  }
  if (value_of != nullptr) {
    Names names = Names::kNone;
    std::vector<std::string> values = option_values(*value_of, &names);
    for (const std::string& v : values) add_matching(c, cur, v);
    for (const std::string& v : store_names(store_root, names)) add_matching(c, cur, v);
    if (!values.empty() || names != Names::kNone) c.directive |= kCompleteNoFiles;
    return c;
  }
  if (cur.starts_with("-")) {
    for (const CLI::App* a = app; a != nullptr; a = a->get_parent())
      for (const CLI::Option* o : visible_options(*a)) {
        for (const std::string& l : o->get_lnames())
          add_matching(c, cur, "--" + l, o->get_description());
        for (const std::string& s : o->get_snames())
          add_matching(c, cur, "-" + s, o->get_description());
      }
    c.directive |= kCompleteNoFiles;
    return c;
  }
  const std::vector<const CLI::App*> subs = visible_subcommands(*app);
  if (!subs.empty() && positional_count == 0) {
    for (const CLI::App* s : subs) add_matching(c, cur, s->get_name(), s->get_description());
    c.directive |= kCompleteNoFiles;
    return c;
  }
  const Names names = names_for(verb_path(*app), positional_count);
  if (verb_path(*app) == "cp" || verb_path(*app) == "container cp") {
    // NAME: then a path in that container; else the containers' names with ':', or host files.
    if (const size_t colon = cur.find(':'); colon != std::string::npos && cur[0] != '/') {
      c.paths_in_container = cur.substr(0, colon);
      c.path_typed = cur.substr(colon + 1);
      c.path_prefix = cur.substr(0, colon + 1);
      return c;
    }
    for (const std::string& n : store_names(store_root, names)) add_matching(c, cur, n + ":");
    if (!c.candidates.empty()) c.directive |= kCompleteNoSpace;
    return c;
  }
  for (const std::string& n : store_names(store_root, names)) add_matching(c, cur, n);
  if (names != Names::kNone && verb_path(*app) != "cp") c.directive |= kCompleteNoFiles;
  return c;
}

void add_paths_in(const ContainerRoot& root, const std::string& typed, const std::string& prefix,
                  Completion& c) {
  auto open_dir = [&](const std::string& p) {
    return root.open(p.empty() ? "/" : p, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  };
  std::string dir = typed, shown = typed, base;
  if (typed.empty()) {
    dir = shown = "/";
  } else if (typed.back() != '/') {
    if (open_dir(typed).valid()) {
      shown = typed + "/";
    } else {
      const size_t slash = typed.rfind('/');
      dir = slash == std::string::npos ? "/" : typed.substr(0, slash + 1);
      shown = slash == std::string::npos ? "" : typed.substr(0, slash + 1);
      base = slash == std::string::npos ? typed : typed.substr(slash + 1);
    }
  }
  UniqueFd fd = open_dir(dir);
  if (!fd.valid()) return;
  std::vector<std::string> found;
  DirStream entries(std::move(fd), dir);
  while (const struct dirent* e = entries.next()) {
    const std::string name = e->d_name;
    if (name == "." || name == ".." || !name.starts_with(base)) continue;
    struct stat st {};  // not following a link: it would resolve outside the root
    const bool sub =
        ::fstatat(entries.fd(), e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode);
    found.push_back(prefix + shown + name + (sub ? "/" : ""));
  }
  std::sort(found.begin(), found.end());
  if (found.empty() && shown == typed + "/") found.push_back(prefix + shown);  // an empty dir
  c.candidates.insert(c.candidates.end(), found.begin(), found.end());
  c.directive |= kCompleteNoSpace | kCompleteNoFiles;
}

namespace {

// The root of the image or container a completion asks paths in (in dabba's user namespace,
// where the layers are mounted as for a run).
void complete_paths(const std::string& store_root, Completion& c) {
  Store store = Store::open(store_root);
  enter_default_user_namespace();
  if (!c.paths_in_image.empty()) {
    const std::optional<std::string> name = find_name(store, c.paths_in_image);
    const ImageRecord image = store.resolve_image(name ? *name : c.paths_in_image);
    std::vector<std::string> layers;
    for (auto l = image.layers.rbegin(); l != image.layers.rend(); ++l)
      layers.push_back(store.layer_dir(l->diff_id));
    add_paths_in(ContainerRoot::mount_layers(layers, "", "", store.temp_dir()), c.path_typed,
                 c.path_prefix, c);
    return;
  }
  const ContainerView view = view_container(store, find_container(store, c.paths_in_container));
  if (view.running && view.state) {
    add_paths_in(ContainerRoot::of_process(view.state->pid), c.path_typed, c.path_prefix, c);
    return;
  }
  std::vector<std::string> layers;
  for (auto l = view.record.layers.rbegin(); l != view.record.layers.rend(); ++l)
    layers.push_back(store.layer_dir(*l));
  add_paths_in(ContainerRoot::mount_layers(layers, view.dir + "/upper", view.dir + "/work",
                                           store.temp_dir()),
               c.path_typed, c.path_prefix, c);
}

}  // namespace

int print_completion(const CLI::App& root, const std::vector<std::string>& words,
                     bool descriptions) {
  std::string root_flag;
  for (size_t i = 0; i + 1 < words.size(); ++i) {
    if (words[i] == "--root" && i + 2 < words.size()) root_flag = words[i + 1];
    if (words[i].starts_with("--root=")) root_flag = words[i].substr(7);
  }
  Completion c;
  std::string store_root;
  try {
    store_root = resolve_store_root(root_flag);
    c = complete_words(root, words, store_root);
  } catch (const std::exception&) {
    // An unreadable store names nothing; the verbs and flags do not need it.
    c = complete_words(root, words, "");
  }
  if (!c.paths_in_image.empty() || !c.paths_in_container.empty()) {
    try {
      complete_paths(store_root, c);
    } catch (const std::exception&) {
      // no such image or container, or its root cannot be opened: no paths
    }
  }
  for (const std::string& line : c.candidates)
    std::printf("%s\n", (descriptions ? line : line.substr(0, line.find('\t'))).c_str());
  std::printf(":%d\n", c.directive);
  std::fflush(stdout);  // the candidates first, as cobra's order is
  // cobra's line on stderr (the shells' scripts drop it; podman's tests read it)
  std::string names;
  if (c.directive & kCompleteNoSpace) names += ", ShellCompDirectiveNoSpace";
  if (c.directive & kCompleteNoFiles) names += ", ShellCompDirectiveNoFileComp";
  std::fprintf(stderr, "Completion ended with directive: %s\n",
               names.empty() ? "ShellCompDirectiveDefault" : names.c_str() + 2);
  return kExitOk;
}

namespace {

constexpr const char* kBash =
    R"SH(# bash completion for dabba (`dabba completion bash`; it asks `dabba __complete`)
_dabba() {
  local line=${COMP_LINE:0:COMP_POINT} cur=
  local -a words
  read -r -a words <<<"$line"
  [[ $line =~ [[:space:]]$ ]] || { cur=${words[-1]}; unset 'words[-1]'; }
  local out directive
  out=$("${words[0]}" __complete "${words[@]:1}" "$cur" 2>/dev/null) || return
  directive=${out##*:}
  out=${out%:*}
  [[ $cur == -*=* ]] && cur=${cur#*=}
  COMPREPLY=()
  local IFS=$'\n' candidate
  for candidate in $out; do
    [[ -n $candidate ]] && COMPREPLY+=("${candidate%%$'\t'*}")
  done
  if (( ${#COMPREPLY[@]} == 0 && (directive & 4) == 0 )); then
    COMPREPLY=($(compgen -f -- "$cur"))
  fi
  (( (directive & 2) == 0 )) || compopt -o nospace
}
complete -o filenames -F _dabba dabba
)SH";

constexpr const char* kZsh = R"SH(#compdef dabba
# zsh completion for dabba (`dabba completion zsh`; it asks `dabba __complete`)
_dabba() {
  local out directive line
  local -a candidates
  out=$(${words[1]} __complete "${(@)words[2,CURRENT-1]}" "${words[CURRENT]}" 2>/dev/null) || return 1
  directive=${out##*:}
  for line in "${(@f)${out%:*}}"; do
    [[ -z $line ]] && continue
    if [[ $line == *$'\t'* ]]; then
      candidates+=("${${line%%$'\t'*}//:/\\:}:${line#*$'\t'}")
    else
      candidates+=("${line//:/\\:}")
    fi
  done
  if (( ${#candidates} )); then
    _describe 'dabba' candidates
  elif (( (directive & 4) == 0 )); then
    _files
  fi
}
if [[ $funcstack[1] == _dabba ]]; then _dabba "$@"; else compdef _dabba dabba; fi
)SH";

constexpr const char* kFish =
    R"SH(# fish completion for dabba (`dabba completion fish`; it asks `dabba __complete`)
function __dabba_complete
    set -l tokens (commandline -opc)
    set -l cur (commandline -ct)
    set -l out ($tokens[1] __complete $tokens[2..-1] $cur 2>/dev/null)
    or return
    set -l directive (string replace ':' '' -- $out[-1])
    set -e out[-1]
    for line in $out
        echo $line
    end
    if test (count $out) -eq 0; and test (math "bitand($directive, 4)") -eq 0
        __fish_complete_path $cur
    end
end
complete -c dabba -f -a '(__dabba_complete)'
)SH";

}  // namespace

Command add_completion(CLI::App& app) {
  struct Args {
    std::string shell;
    std::string file;
    bool no_desc = false;
  };
  auto args = std::make_shared<Args>();
  Command cmd = podman_verb(
      app, "completion", "Generate a shell completion script (bash, zsh, fish)", Needs::kNothing);
  cmd.app->add_option("shell", args->shell, "bash, zsh or fish")
      ->required()
      ->check(CLI::IsMember({"bash", "zsh", "fish"}));
  cmd.app->add_option("-f,--file", args->file, "write it to this file instead of stdout");
  cmd.app->add_flag("--no-desc", args->no_desc,
                    "accepted (the scripts show descriptions where the shell does)");
  cmd.run = [args](const Globals&) {
    const std::map<std::string, const char*> scripts = {
        {"bash", kBash}, {"zsh", kZsh}, {"fish", kFish}};
    const std::string script = scripts.at(args->shell);
    if (args->file.empty() || args->file == "-")
      std::fputs(script.c_str(), stdout);
    else
      write_file_atomic(args->file, script, Sync::kNone, 0644);
    return kExitOk;
  };
  return cmd;
}

}  // namespace dabba::cli
