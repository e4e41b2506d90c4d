// dabba's entry point: parse the command line, enter the user namespace if the verb needs it,
// run the verb, and turn any Error into one clear message and an exit code.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "cli/command.h"
#include "cli/commands.h"
#include "cli/completion.h"
#include "cli/containers.h"
#include "cli/global_flags.h"
#include "cli/man_pages.h"
#include "common/error.h"
#include "common/log.h"
#include "common/mapped_write_fault.h"
#include "common/no_space.h"
#include "common/userns.h"
#include "common/version.h"

namespace dabba::cli {
namespace {

int exit_code_for(const Error& e) {
  switch (e.code()) {
    case Errc::kInvalidArgument:
      return kExitDabbaFailed;  // podman's usage errors: 125
    case Errc::kInterrupted:
      return kExitInterrupted;
    default:
      return kExitFailure;
  }
}

// podman takes its global flags after the verb too (`podman run --root R ...`, `podman network
// --root R exists N`, as podman-compose's --podman-args writes them); CLI11 finds a parent's
// options only before the subcommand. So the global options among a verb's (or a group's) leading
// options move in front of the verb. The scan stops at the first word or at anything it does not
// know (a bundle of short flags, an unknown option: CLI11 then says what is wrong).
// " run", " network create": the verbs parsed so far ("" for none).
std::string parsed_verb_path(const CLI::App& app) {
  std::string path;
  const CLI::App* level = &app;
  for (;;) {
    const auto subs = level->get_subcommands();
    if (subs.empty()) return path;
    level = subs.front();
    path += " " + level->get_name();
  }
}

// CLI11's message, or pflag's for what it words differently: a flag without its value ("flag
// needs an argument: 'h' in -h", "... --hostname") and an unknown flag ("unknown flag: --x",
// "unknown shorthand flag: 'x' in -x").
std::string pflag_words(const CLI::App& app, const CLI::ParseError& e, int argc, char** argv) {
  const std::string what = e.what();
  if (dynamic_cast<const CLI::ArgumentMismatch*>(&e) != nullptr) {
    const std::string name = what.substr(0, what.find(':'));
    if (what.find(" missing") == std::string::npos || name.rfind("--", 0) != 0) return what;
    const CLI::App* level = &app;
    const CLI::Option* option = app.get_option_no_throw(name);
    while (option == nullptr && !level->get_subcommands().empty()) {
      level = level->get_subcommands().front();
      option = level->get_option_no_throw(name);
    }
    if (option != nullptr)
      for (int i = argc - 1; i > 0; --i)
        for (const std::string& s : option->get_snames())
          if (argv[i] == "-" + s) return "flag needs an argument: '" + s + "' in -" + s;
    return "flag needs an argument: " + name;
  }
  if (dynamic_cast<const CLI::ExtrasError*>(&e) != nullptr) {
    const std::string prefix = "The following argument was not expected: ";
    if (what.rfind(prefix, 0) != 0) return what;
    const std::string extra = what.substr(prefix.size());
    if (extra.rfind("--", 0) == 0) return "unknown flag: " + extra.substr(0, extra.find('='));
    if (extra.size() >= 2 && extra[0] == '-')
      return std::string("unknown shorthand flag: '") + extra[1] + "' in " + extra;
  }
  return what;
}

std::vector<std::string> hoist_globals(const CLI::App& app, int argc, char** argv) {
  std::vector<std::string> args(argv, argv + argc);
  auto takes_value = [](const CLI::Option* o, const std::string& token) {
    return o->get_expected_min() > 0 && token.find('=') == std::string::npos;
  };
  auto is_option = [&](size_t i) {
    return i < args.size() && args[i].size() > 1 && args[i][0] == '-' && args[i] != "--";
  };
  size_t i = 1;
  while (is_option(i)) {
    const CLI::Option* o = app.get_option_no_throw(args[i].substr(0, args[i].find('=')));
    if (o == nullptr) return args;
    i += takes_value(o, args[i]) ? 2 : 1;
  }
  size_t insert_at = i;  // before the verb
  const CLI::App* level = &app;
  while (i < args.size()) {
    const std::string word = args[i];
    const auto found = level->get_subcommands([&](const CLI::App* a) { return a->check_name(word); });
    if (found.empty()) break;
    level = found.front();
    ++i;
    while (is_option(i)) {
      const std::string name = args[i].substr(0, args[i].find('='));
      if (const CLI::Option* own = level->get_option_no_throw(name)) {
        // pflag's "-a=false": CLI11 takes a value after '=' only on a long name.
        if (name.size() == 2 && args[i].size() > 2 && args[i][2] == '=' &&
            !own->get_lnames().empty())
          args[i] = "--" + own->get_lnames().front() + args[i].substr(2);
        i += takes_value(own, args[i]) ? 2 : 1;
        continue;
      }
      if (name.rfind("--", 0) != 0) {  // -it: a bundle of the verb's short flags
        size_t skip = 1;
        for (size_t c = 1; c < name.size(); ++c) {
          const CLI::Option* flag = level->get_option_no_throw(std::string("-") + name[c]);
          if (flag == nullptr) return args;
          if (flag->get_expected_min() > 0) {  // the rest, or the next word, is its value
            skip = c + 1 == name.size() ? 2 : 1;
            break;
          }
        }
        i += skip;
        continue;
      }
      const CLI::Option* global = app.get_option_no_throw(name);
      if (global == nullptr) return args;
      const size_t count = takes_value(global, args[i]) ? 2 : 1;
      if (i + count > args.size()) return args;
      std::vector<std::string> moved(args.begin() + i, args.begin() + i + count);
      args.erase(args.begin() + i, args.begin() + i + count);
      args.insert(args.begin() + insert_at, moved.begin(), moved.end());
      insert_at += count;
      i += count;
    }
  }
  return args;
}

// What podman says at its start, at info and debug level; and at trace, the environment that
// picks the store and the configuration files.
void log_startup(int argc, char** argv) {
  if (!log_enabled(LogLevel::kInfo)) return;
  log_info(std::string("dabba filtering at log level ") + log_level_name(log_level()));
  std::string command;
  for (int i = 0; i < argc; ++i) command += (i ? " " : "") + std::string(argv[i]);
  log_debug("Called " + command);
  std::string env;
  for (const char* var :
       {"DABBA_ROOT", "XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_RUNTIME_DIR", "CONTAINERS_CONF",
        "CONTAINERS_REGISTRIES_CONF", "CONTAINERS_STORAGE_CONF"})
    if (const char* v = std::getenv(var))
      env += std::string(env.empty() ? "" : " ") + var + "=" + v;
  log_trace("the environment's say on the store and configuration: " +
            (env.empty() ? std::string("nothing") : env));
}

// A full disk or quota (ENOSPC, EDQUOT) the store did not explain itself: when the store's
// filesystem is nearly full, that is most likely where it ran out; say so, with the fix.
Error with_store_space(const Error& e, const Globals& globals) {
  if (!is_no_space(e)) return e;
  try {
    const std::string root = globals.root();
    return nearly_full(root) ? explain_no_space(e, root) : e;
  } catch (const Error&) {
    return e;
  }
}

int run_main(int argc, char** argv) {
  explain_mapped_write_faults();  // a store whose disk or quota is full: an error, not "Bus error"
  CLI::App app{"dabba: rootless containers, fast", "dabba"};
  app.require_subcommand(1);
  // pflag's rule, which podman's flags follow: a flag given twice takes the last value (lists,
  // `-e A -e B`, keep every one: their policy is their own). Verbs inherit it.
  app.option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  Globals globals;
  app.add_option("--root", globals.root_flag,
                 "store directory (default: $DABBA_ROOT, $XDG_DATA_HOME/dabba or "
                 "~/.local/share/dabba)");
  CLI::Option* log_level =
      app.add_option("--log-level", globals.log_level, "trace, debug, info, warn or error")
          ->capture_default_str();
  bool debug = false;  // docker's --debug/-D, which podman takes too
  app.add_flag("-D,--debug", debug, "the same as --log-level=debug")->group("");
  app.set_version_flag("-v,--version", std::string("dabba version ") + kVersion);
  add_podman_globals(app, globals);

  std::vector<Command> commands = register_commands(app);
  // The shells' completion scripts and the build's man pages read the definitions just made.
  if (argc >= 2 &&
      (std::string(argv[1]) == "__complete" || std::string(argv[1]) == "__completeNoDesc"))
    return print_completion(app, std::vector<std::string>(argv + 2, argv + argc),
                            /*descriptions=*/std::string(argv[1]) == "__complete");
  if (argc == 3 && std::string(argv[1]) == "__man") {
    try {
      write_man_pages(app, argv[2]);
    } catch (const Error& e) {
      report_error(e);
      return kExitFailure;
    }
    return kExitOk;
  }

  try {
    std::vector<std::string> args = hoist_globals(app, argc, argv);
    std::reverse(args.begin(), args.end());
    args.pop_back();  // the program's name
    app.parse(args);
  } catch (const CLI::Success& e) {
    return app.exit(e);  // --help, --version
  } catch (const CLI::RequiredError& e) {
    // The deepest verb or group parsed ("" for none): a group (`image`, `network`) wants one of
    // its verbs as dabba itself does.
    const CLI::App* level = &app;
    while (!level->get_subcommands().empty()) level = level->get_subcommands().front();
    const std::string path = parsed_verb_path(app);
    const std::vector<std::string> rest = level->remaining();
    if (level->get_require_subcommand_min() > 0 || level == &app) {
      if (!rest.empty() && rest.front()[0] != '-') {
        // podman's words for a verb it does not have
        std::fprintf(stderr,
                     "Error: unrecognized command `dabba%s %s`\nTry 'dabba%s --help' for more "
                     "information\n",
                     path.c_str(), rest.front().c_str(), path.c_str());
        return kExitDabbaFailed;
      }
      if (rest.empty()) {  // `dabba` or `dabba image` alone: podman's usage, then its words
        std::fputs(level->help().c_str(), stderr);
        std::fprintf(stderr, "Error: missing command 'dabba%s COMMAND'\n", path.c_str());
        return kExitDabbaFailed;
      }
    }
    std::fprintf(stderr, "Error: %s\nSee 'dabba%s --help'\n", e.what(), path.c_str());
    return kExitDabbaFailed;
  } catch (const CLI::ParseError& e) {
    // podman's usage errors: "Error: ..." and 125, in pflag's words where it has them.
    const std::string verb = parsed_verb_path(app);
    std::fprintf(stderr, "Error: %s\nSee 'dabba%s --help'\n",
                 pflag_words(app, e, argc, argv).c_str(), verb.c_str());
    return kExitDabbaFailed;
  }

  const Command* running = nullptr;
  try {
    if (debug && log_level->count() > 0) {
      std::fputs("Setting --log-level and --debug is not allowed\n", stderr);  // podman's, and 1
      return kExitFailure;
    }
    if (debug) globals.log_level = "debug";
    try {
      set_log_level(parse_log_level(globals.log_level));
    } catch (const Error&) {
      // podman's line, word for word (no "Error: "), and its 1
      std::fprintf(stderr,
                   "Log Level \"%s\" is not supported, choose from: trace, debug, info, warn, "
                   "warning, error, fatal, panic\n",
                   globals.log_level.c_str());
      return kExitFailure;
    }
    try {
      check_podman_globals(globals);
    } catch (const Error& e) {
      report_error(e);
      return kExitDabbaFailed;  // a usage error, as podman's
    }
    log_startup(argc, argv);
    for (auto& cmd : commands) {
      if (!cmd.app->parsed()) continue;
      running = &cmd;
      if (cmd.needs == Needs::kUserNamespace) enter_default_user_namespace();
      return cmd.run(globals);
    }
    return kExitDabbaFailed;
  } catch (const Error& e) {
    report_error(with_store_space(e, globals));
    if (running != nullptr && running->error_exit != 0 && e.code() != Errc::kInterrupted)
      return running->error_exit;
    return exit_code_for(e);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "Error: %s\n", e.what());
    return running != nullptr && running->error_exit != 0 ? running->error_exit : kExitFailure;
  }
}

}  // namespace
}  // namespace dabba::cli

int main(int argc, char** argv) { return dabba::cli::run_main(argc, argv); }
