// dabba images [--format table|json|TEMPLATE] [-q] [--digests]
#include <CLI/CLI.hpp>
#include <cstdio>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>

#include "cli/command.h"
#include "cli/commands.h"
#include "cli/format_template.h"
#include "cli/table.h"
#include "common/human.h"
#include "store/image_names.h"
#include "store/records.h"
#include "store/store.h"

namespace dabba::cli {
namespace {

struct Row {
  std::string repository = "<none>";
  std::string tag = "<none>";
  std::string digest;
};

// One row per tag; a repository known only by digest gets a <none> tag; an image without any
// name one <none> <none> row. The digest column is the repository's registry digest if known.
std::vector<Row> rows_of(const ImageEntry& e) {
  std::map<std::string, std::string> digest_of;  // repository -> its @digest
  std::vector<std::pair<std::string, std::string>> tags;
  for (const auto& name : e.names) {
    NameParts p = split_name(name);
    if (p.repository.empty()) continue;  // dangling
    if (!p.digest.empty())
      digest_of.emplace(p.repository, p.digest);
    else
      tags.emplace_back(p.repository, p.tag);
  }
  std::vector<Row> rows;
  std::set<std::string> tagged;
  for (const auto& [repo, tag] : tags) {
    auto d = digest_of.find(repo);
    rows.push_back({repo, tag, d != digest_of.end() ? d->second : e.image.manifest.str()});
    tagged.insert(repo);
  }
  for (const auto& [repo, digest] : digest_of)
    if (!tagged.count(repo)) rows.push_back({repo, "<none>", digest});
  if (rows.empty()) rows.push_back({"<none>", "<none>", e.image.manifest.str()});
  return rows;
}

nlohmann::json to_json(const ImageEntry& e) {
  nlohmann::json names = nlohmann::json::array(), tags = nlohmann::json::array(),
                 digests = nlohmann::json::array();
  for (const auto& name : e.names) {
    if (is_dangling_name(name)) continue;
    names.push_back(name);
    (split_name(name).digest.empty() ? tags : digests).push_back(name);
  }
  const ImageRecord& img = e.image;
  return {
      {"id", img.config.str()},
      {"short_id", img.short_id()},
      {"manifest", img.manifest.str()},
      {"media_type", img.media_type},
      {"names", names},
      {"repo_tags", tags},
      {"repo_digests", digests},
      {"size", img.unpacked_size},
      {"created", img.created},
      {"created_at", img.created > 0 ? format_rfc3339(img.created) : ""},
      {"added", img.added},
      {"platform", img.platform},
      {"layers", img.layers.size()},
      {"containers", img.container_refs},
  };
}

}  // namespace

Command add_images(CLI::App& parent) {
  struct Args {
    std::string format = "table";
    bool quiet = false;
    bool digests = false;
  };
  auto args = std::make_shared<Args>();
  Command cmd;
  cmd.app = parent.add_subcommand("images", "List images in the store");
  cmd.app
      ->add_option("--format", args->format,
                   "table, json or a template ('{{.Repository}}:{{.Tag}}')")
      ->capture_default_str();
  cmd.app->add_flag("-q,--quiet", args->quiet, "print only image ids");
  cmd.app->add_flag("--digests", args->digests, "show the digest column");
  // LMDB and the records are readable as the caller: no user namespace needed.
  cmd.needs = Needs::kNothing;
  cmd.run = [args](const Globals& globals) {
    static const std::vector<TemplateField> kFields = {{"Repository", "REPOSITORY"},
                                                       {"Tag", "TAG"},
                                                       {"Digest", "DIGEST"},
                                                       {"ID", "IMAGE ID"},
                                                       {"CreatedAt", "CREATED AT"},
                                                       {"CreatedSince", "CREATED"},
                                                       {"Size", "SIZE"}};
    std::optional<RowTemplate> tmpl;
    if (args->format != "table" && args->format != "json") tmpl.emplace(args->format, kFields);
    Store store = Store::open(globals.root());
    std::vector<ImageEntry> images = store.list_images();
    if (args->format == "json") {
      nlohmann::json out = nlohmann::json::array();
      for (const auto& e : images) out.push_back(to_json(e));
      std::printf("%s\n", out.dump(2).c_str());
      return kExitOk;
    }
    if (args->quiet) {
      std::set<std::string> seen;
      for (const auto& e : images)
        if (seen.insert(e.image.short_id()).second) std::printf("%s\n", e.image.short_id().c_str());
      return kExitOk;
    }
    const int64_t now = unix_now();
    if (tmpl) {
      std::vector<std::map<std::string, std::string>> out;
      for (const auto& e : images) {
        int64_t when = e.image.created > 0 ? e.image.created : e.image.added;
        for (const Row& r : rows_of(e))
          out.push_back({{"Repository", r.repository},
                         {"Tag", r.tag},
                         {"Digest", r.digest},
                         {"ID", e.image.short_id()},
                         {"CreatedAt", when > 0 ? format_rfc3339(when) : ""},
                         {"CreatedSince", time_ago(when, now)},
                         {"Size", human_size(e.image.unpacked_size)}});
      }
      std::fputs(tmpl->render(out).c_str(), stdout);
      return kExitOk;
    }
    std::vector<std::string> header = {"REPOSITORY", "TAG"};
    if (args->digests) header.push_back("DIGEST");
    for (const char* h : {"IMAGE ID", "CREATED", "SIZE"}) header.push_back(h);
    Table table(header);
    for (const auto& e : images) {
      int64_t when = e.image.created > 0 ? e.image.created : e.image.added;
      for (const Row& r : rows_of(e)) {
        std::vector<std::string> row = {r.repository, r.tag};
        if (args->digests) row.push_back(r.digest);
        row.push_back(e.image.short_id());
        row.push_back(time_ago(when, now));
        row.push_back(human_size(e.image.unpacked_size));
        table.add(std::move(row));
      }
    }
    std::fputs(table.str().c_str(), stdout);
    return kExitOk;
  };
  return cmd;
}

}  // namespace dabba::cli
