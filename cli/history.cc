// dabba history [-H/--human] [--no-trunc] [-q] [--format table|json|TEMPLATE] IMAGE
// (also `image history`). The config's history, newest first, as podman prints it: the top entry
// carries the image id, the others "<missing>"; each entry's size is its layer's (0 for entries
// that made no layer).
#include <CLI/CLI.hpp>
#include <cstdio>
#include <memory>

#include "cli/command.h"
#include "cli/commands.h"
#include "cli/format_template.h"
#include "cli/image_view.h"
#include "common/human.h"
#include "store/store.h"

namespace dabba::cli {

Command add_history(CLI::App& parent) {
  struct Args {
    bool human = true;
    bool no_trunc = false;
    bool quiet = false;
    std::string format;
    std::string image;
  };
  auto args = std::make_shared<Args>();
  Command cmd = podman_verb(parent, "history", "Show the history of an image", Needs::kNothing);
  cmd.app->add_flag("-H,--human,!--no-human", args->human,
                    "sizes and dates in human readable form (default true; -H=false for raw)")
      ->default_str("true");
  cmd.app->add_flag("--no-trunc,--notruncate", args->no_trunc, "do not cut CREATED BY");
  cmd.app->add_flag("-q,--quiet", args->quiet, "print only the ids");
  cmd.app->add_option("--format", args->format, "table, json or a Go template");
  cmd.app->add_option("image", args->image, "image name or id")->required();
  cmd.run = [args](const Globals& globals) {
    static const std::map<std::string, std::string> kHeaders = {
        {"ID", "ID"},           {"Created", "CREATED"},          {"CreatedAt", "CREATED AT"},
        {"CreatedSince", "CREATED"}, {"CreatedBy", "CREATED BY"}, {"Size", "SIZE"},
        {"Comment", "COMMENT"}, {"Tags", "TAGS"}};
    ListFormat format(args->format,
                      "table {{.ID}}\\t{{.Created}}\\t{{.CreatedBy}}\\t{{.Size}}\\t{{.Comment}}",
                      kHeaders, listing_options());
    Store store = Store::open(globals.root());
    ImageView view = view_image(store, find_image_or_throw(store, args->image));
    std::vector<HistoryEntry> history = image_history(store, view);
    const int64_t now = unix_now();
    std::vector<TemplateData> rows, json_rows;
    for (size_t i = history.size(); i-- > 0;) {
      const HistoryEntry& h = history[i];
      const bool top = i + 1 == history.size();
      std::string id = top ? (args->no_trunc ? view.id() : view.image.short_id()) : "<missing>";
      int64_t when = parse_rfc3339(h.created);
      std::string by = h.created_by;
      if (!args->no_trunc && by.size() > 45) by = by.substr(0, 42) + "...";
      TemplateData r;
      r["ID"] = id;
      r["Created"] = args->human ? time_ago(when, now) : format_rfc3339(when);
      r["CreatedSince"] = time_ago(when, now);
      r["CreatedAt"] = go_time_string(when);
      r["CreatedBy"] = by;
      r["Size"] = args->human ? human_size(h.size) : std::to_string(h.size);
      r["Comment"] = h.comment;
      r["Tags"] = top ? TemplateData(view.tags) : TemplateData::array();
      rows.push_back(std::move(r));
      json_rows.push_back({{"id", top ? view.id() : "<missing>"},
                           {"created", h.created},
                           {"CreatedBy", h.created_by},
                           {"size", h.size},
                           {"comment", h.comment},
                           {"tags", top ? TemplateData(view.tags) : TemplateData(nullptr)}});
    }
    if (args->quiet) {
      for (const auto& r : rows) std::printf("%s\n", r["ID"].get<std::string>().c_str());
      return kExitOk;
    }
    std::fputs(format.render(format.json() ? json_rows : rows).c_str(), stdout);
    return kExitOk;
  };
  return cmd;
}

}  // namespace dabba::cli
