// Containers: Store methods over the containers and container_names databases. A container
// pins its image record and its layers until it is removed.
#include <fcntl.h>
#include <unistd.h>

#include "common/error.h"
#include "common/fs.h"
#include "common/no_space.h"
#include "store/refs.h"
#include "store/space_reserve.h"
#include "store/store.h"
#include "store/store_state.h"

namespace dabba {

void Store::add_container(const ContainerRecord& record,
                          const std::function<void(const ContainerRecord&)>& before_commit) {
  if (record.id.empty() || record.id.find('/') != std::string::npos || record.id[0] == '.')
    throw Error(Errc::kInvalidArgument, "bad container id '" + record.id + "'");
  with_context("add container " + record.id, [&] {
    with_space_explained(root(), "", [&] {
      // The directory is created under the publish lock, so gc never sees it without its record.
      FileLock publish = state_->publish_lock();
      WriteTxn txn(*state_->db);
      if (txn.contains(Db::kContainers, record.id))
        throw Error(Errc::kAlreadyExists, "container id " + record.id + " is taken");
      if (!record.name.empty() && txn.contains(Db::kContainerNames, record.name))
        throw Error(Errc::kAlreadyExists, "the container name '" + record.name + "' is taken", 0,
                    "remove that container or choose another --name");
      auto img = get_image(txn, record.image);
      if (!img)
        throw Error(Errc::kNotFound, "image " + record.image.str() + " is not in the store");
      ++img->container_refs;
      put_or_release_image(txn, *img);
      for (const Digest& l : record.layers) ref_layer(txn, l, +1);
      // In this transaction, so a volume removed just before cannot end up held by a container.
      for (const auto& v : record.volumes)
        if (!txn.contains(Db::kVolumes, v))
          throw Error(Errc::kNotFound, "no volume with name \"" + v + "\" found: no such volume");
      ContainerRecord rec = record;
      if (rec.created == 0) rec.created = unix_now();
      txn.put(Db::kContainers, rec.id, encode_container(rec));
      if (!rec.name.empty()) txn.put(Db::kContainerNames, rec.name, rec.id);
      make_dirs(container_dir(rec.id), 0700);
      state_->crash_point("container-dir-made");
      if (before_commit) before_commit(rec);
      txn.commit();
      state_->crash_point("container-committed");
    });
  });
}

std::optional<ContainerRecord> Store::container(std::string_view id_or_name) const {
  ReadTxn txn(*state_->db);
  std::string key(id_or_name);
  if (auto c = get_container(txn, key)) return c;
  if (auto id = txn.get(Db::kContainerNames, key)) return get_container(txn, std::string(*id));
  if (key.size() < 3) return std::nullopt;
  std::optional<ContainerRecord> found;
  int matches = 0;
  txn.scan(Db::kContainers, key, [&](std::string_view, std::string_view value) {
    if (++matches == 1) found = decode_container(value);
    return matches < 2;
  });
  if (matches > 1)
    throw Error(Errc::kInvalidArgument, "container id prefix '" + key + "' is ambiguous");
  return found;
}

std::vector<ContainerRecord> Store::list_containers() const {
  ReadTxn txn(*state_->db);
  return txn.decode_all(Db::kContainers, decode_container);
}

void Store::update_container(const std::string& id, const std::string& runner_json) {
  WriteTxn txn(*state_->db);
  auto c = get_container(txn, id);
  if (!c) throw Error(Errc::kNotFound, "no container " + id);
  c->runner_json = runner_json;
  txn.put(Db::kContainers, id, encode_container(*c));
  txn.commit();
}

void Store::rename_container(const std::string& id, const std::string& new_name) {
  if (new_name.empty()) throw Error(Errc::kInvalidArgument, "a container name cannot be empty");
  WriteTxn txn(*state_->db);
  auto c = get_container(txn, id);
  if (!c) throw Error(Errc::kNotFound, "no container " + id);
  if (c->name == new_name) return;
  if (txn.contains(Db::kContainerNames, new_name))
    throw Error(Errc::kAlreadyExists, "name " + new_name + " already in use");
  if (!c->name.empty()) txn.del(Db::kContainerNames, c->name);
  c->name = new_name;
  txn.put(Db::kContainers, id, encode_container(*c));
  txn.put(Db::kContainerNames, new_name, id);
  txn.commit();
}

void Store::remove_container(const std::string& id, bool with_anonymous_volumes) {
  std::vector<std::string> volume_dirs;
  auto drop_records = [&] {
    volume_dirs.clear();
    WriteTxn txn(*state_->db);
    auto c = get_container(txn, id);
    if (!c) throw Error(Errc::kNotFound, "no container " + id);
    for (const Digest& l : c->layers) ref_layer(txn, l, -1);
    if (auto img = get_image(txn, c->image)) {
      if (img->container_refs > 0) --img->container_refs;
      put_or_release_image(txn, *img);
    }
    txn.del(Db::kContainers, id);
    if (!c->name.empty()) txn.del(Db::kContainerNames, c->name);
    if (with_anonymous_volumes)
      for (const auto& v : c->volumes)
        if (remove_unused_anonymous_volume(txn, v))
          volume_dirs.push_back(state_->layout.volume_dir(v));
    txn.commit();
  };
  with_context("remove container " + id, [&] {
    // On a full disk the container's files go first (a crash in between leaves a record
    // without its directory, which rm removes again), then the records, with the reserve.
    with_space_reserve(state_->layout, drop_records, [&] { remove_tree(container_dir(id)); });
    state_->crash_point("container-record-removed");
    // After the commit: a crash here leaves an orphan directory that gc removes.
    remove_tree(container_dir(id));
    for (const auto& d : volume_dirs) remove_tree(d);
  });
}

}  // namespace dabba
