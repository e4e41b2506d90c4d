// dabba images [-a] [-q] [-n] [--digests] [--no-trunc] [--filter F]... [--sort KEY]
//              [--format table|json|TEMPLATE] [IMAGE]
// (also `image ls` / `image list`). One row per tag, as podman prints them; podman's template
// fields (.ID .Repository .Tag .Digest .CreatedSince .CreatedAt .Size .Labels .History ...).
#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <memory>
#include <set>

#include "cli/command.h"
#include "cli/commands.h"
#include "cli/format_template.h"
#include "cli/image_filters.h"
#include "cli/image_view.h"
#include "cli/run_options.h"
#include "common/error.h"
#include "common/human.h"
#include "store/image_names.h"
#include "store/store.h"

namespace dabba::cli {
namespace {

struct Row {
  const ImageView* view;
  std::string repository = "<none>";
  std::string tag = "<none>";
  std::string digest;
};

// One row per tag; a repository known only by digest gets a <none> tag; an image without any
// name one <none> <none> row.
std::vector<Row> rows_of(const ImageView& v) {
  std::vector<Row> rows;
  std::set<std::string> tagged;
  for (const auto& t : v.tags) {
    NameParts p = split_name(t);
    rows.push_back({&v, p.repository, p.tag, v.image.manifest.str()});
    tagged.insert(p.repository);
  }
  for (const auto& d : v.names) {
    NameParts p = split_name(d);
    if (!p.digest.empty() && tagged.insert(p.repository).second)
      rows.push_back({&v, p.repository, "<none>", p.digest});
  }
  if (rows.empty()) rows.push_back({&v, "<none>", "<none>", v.image.manifest.str()});
  return rows;
}

int64_t created_of(const ImageRecord& img) { return img.created > 0 ? img.created : img.added; }

std::string join(const std::vector<std::string>& parts, const char* sep) {
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : sep) + p;
  return out;
}

const std::vector<std::string>& names_history(const ImageView& v) {
  return v.image.names_history.empty() ? v.names : v.image.names_history;
}

// The fields podman's images templates know.
TemplateData row_data(const Row& r, bool no_trunc, int64_t now) {
  const ImageView& v = *r.view;
  const int64_t when = created_of(v.image);
  TemplateData d;
  d["ID"] = no_trunc ? v.image.config.str() : v.image.short_id();
  d["Id"] = v.id();
  d["ParentId"] = "";
  d["Repository"] = r.repository;
  d["Tag"] = r.tag;
  d["Digest"] = r.digest;
  d["RepoTags"] = v.tags;
  d["RepoDigests"] = v.digests;
  d["Names"] = v.names;
  d["Created"] = time_ago(when, now);
  d["CreatedSince"] = time_ago(when, now);
  d["CreatedAt"] = go_time_string(when);
  d["Size"] = human_size(v.image.unpacked_size);
  d["VirtualSize"] = v.image.unpacked_size;
  d["SharedSize"] = 0;
  d["Labels"] = v.runtime_config().value("Labels", TemplateData::object());
  d["Containers"] = v.image.container_refs;
  d["History"] = join(names_history(v), ", ");
  d["ReadOnly"] = false;
  d["IsReadOnly"] = false;
  d["Dangling"] = v.dangling();
  return d;
}

// podman's `images --format json` object (ImageSummary).
TemplateData summary_json(const ImageView& v) {
  const int64_t when = created_of(v.image);
  TemplateData d;
  d["Id"] = v.id();
  d["ParentId"] = "";
  d["RepoTags"] = v.tags;
  d["RepoDigests"] = v.digests;
  d["Size"] = v.image.unpacked_size;
  d["SharedSize"] = 0;
  d["VirtualSize"] = v.image.unpacked_size;
  d["Labels"] = v.runtime_config().value("Labels", TemplateData::object());
  d["Containers"] = v.image.container_refs;
  d["Names"] = v.names;
  d["Digest"] = v.image.manifest.str();
  d["History"] = names_history(v);
  d["Created"] = when;
  d["CreatedAt"] = format_rfc3339(when);
  d["Dangling"] = v.dangling();
  return d;
}

const std::map<std::string, std::string> kHeaders = {
    {"ID", "IMAGE ID"},       {"Id", "ID"},           {"ParentId", "PARENT ID"},
    {"Repository", "REPOSITORY"}, {"Tag", "TAG"},     {"Digest", "DIGEST"},
    {"RepoTags", "REPO TAGS"}, {"RepoDigests", "REPO DIGESTS"}, {"Names", "NAMES"},
    {"Created", "CREATED"},   {"CreatedSince", "CREATED"}, {"CreatedAt", "CREATED AT"},
    {"Size", "SIZE"},         {"VirtualSize", "VIRTUAL SIZE"}, {"SharedSize", "SHARED SIZE"},
    {"Labels", "LABELS"},     {"Containers", "CONTAINERS"}, {"History", "HISTORY"},
    {"ReadOnly", "READ ONLY"}, {"IsReadOnly", "READ ONLY"}, {"Dangling", "DANGLING"}};

}  // namespace

Command add_images(CLI::App& parent, const std::string& name) {
  struct Args {
    std::string format;
    bool all = false;
    bool quiet = false;
    bool digests = false;
    bool no_trunc = false;
    bool noheading = false;
    bool history = false;
    std::string sort = "created";
    std::vector<std::string> filters;
    std::string image;
  };
  auto args = std::make_shared<Args>();
  Command cmd = podman_verb(parent, name, "List images in the store", Needs::kNothing);
  if (name == "ls") cmd.app->alias("list");
  cmd.app->add_option("--format", args->format,
                      "table, json or a Go template ('{{.Repository}}:{{.Tag}}')");
  cmd.app->add_flag("-a,--all", args->all, "show all images (dabba keeps no intermediate ones)");
  cmd.app->add_flag("-q,--quiet", args->quiet, "print only image ids");
  cmd.app->add_flag("--digests", args->digests, "show the digest column");
  cmd.app->add_flag("--no-trunc,--notruncate", args->no_trunc, "full image ids");
  cmd.app->add_flag("-n,--noheading", args->noheading, "no header row");
  cmd.app->add_flag("--history", args->history, "show the names each image had");
  cmd.app->add_option("--sort", args->sort, "created, id, repository, size or tag")
      ->capture_default_str();
  repeatable(cmd.app->add_option("-f,--filter", args->filters,
                                 "reference=, dangling=, label=, before=, since=, id=, until=, ..."));
  cmd.app->add_option("image", args->image, "only images matching this reference");
  // LMDB and the records are readable as the caller: no user namespace needed.
  cmd.run = [args](const Globals& globals) {
    static const std::vector<std::string> kSorts = {"created", "id", "repository", "size", "tag"};
    if (std::find(kSorts.begin(), kSorts.end(), args->sort) == kSorts.end())
      throw Error(Errc::kInvalidArgument, "invalid --sort \"" + args->sort + "\"", 0,
                  "sort by created, id, repository, size or tag");
    std::string def = "table {{.Repository}}\\t{{.Tag}}\\t";
    if (args->digests) def += "{{.Digest}}\\t";
    def += "{{.ID}}\\t{{.CreatedSince}}\\t{{.Size}}";
    if (args->history) def += "\\t{{.History}}";
    ListFormat format(args->format, def, kHeaders, listing_options());

    Store store = Store::open(globals.root());
    std::vector<std::string> filters = args->filters;
    if (!args->image.empty()) filters.push_back("reference=" + args->image);
    ImageFilters filter(store, filters);
    std::vector<ImageView> views;
    for (ImageView& v : view_images(store))
      if (filter.match(v)) views.push_back(std::move(v));

    if (format.json()) {
      std::vector<TemplateData> out;
      for (const auto& v : views) out.push_back(summary_json(v));
      std::fputs(format.render(out).c_str(), stdout);
      return kExitOk;
    }
    std::vector<Row> rows;
    for (const auto& v : views)
      for (Row& r : rows_of(v)) rows.push_back(std::move(r));
    std::stable_sort(rows.begin(), rows.end(), [&](const Row& a, const Row& b) {
      const ImageRecord &x = a.view->image, &y = b.view->image;
      if (args->sort == "id") return x.config.hex() < y.config.hex();
      if (args->sort == "repository") return a.repository < b.repository;
      if (args->sort == "tag") return a.tag < b.tag;
      if (args->sort == "size") return x.unpacked_size > y.unpacked_size;
      return created_of(x) > created_of(y);
    });
    if (args->quiet) {
      std::set<std::string> seen;
      for (const Row& r : rows) {
        std::string id = args->no_trunc ? r.view->image.config.str() : r.view->image.short_id();
        if (seen.insert(id).second) std::printf("%s\n", id.c_str());
      }
      return kExitOk;
    }
    const int64_t now = unix_now();
    std::vector<TemplateData> data;
    for (const Row& r : rows) data.push_back(row_data(r, args->no_trunc, now));
    std::fputs(format.render(data, !args->noheading).c_str(), stdout);
    return kExitOk;
  };
  return cmd;
}

}  // namespace dabba::cli
