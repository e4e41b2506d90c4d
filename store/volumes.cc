// Volumes: Store methods over the `volumes` database and volumes/<name>/. A container's record
// lists the volumes it mounts; that list is what keeps a volume from being removed (no counter to
// drift: the check scans the containers, which are few).
#include <algorithm>

#include "common/error.h"
#include "common/fs.h"
#include "common/no_space.h"
#include "common/text.h"
#include "store/refs.h"
#include "store/space_reserve.h"
#include "store/store.h"
#include "store/store_state.h"

namespace dabba {
namespace {

void check_volume_name(const std::string& name) {
  if (!is_volume_name(name))
    throw Error(Errc::kInvalidArgument,
                "invalid volume name '" + name +
                    "': names must match [a-zA-Z0-9][a-zA-Z0-9_.-]*: invalid argument");
}

std::vector<std::string> users_in(const ReadTxn& txn, const std::string& name) {
  std::vector<std::string> ids;
  txn.scan(Db::kContainers, "", [&](std::string_view id, std::string_view value) {
    ContainerRecord c = decode_container(value);
    if (std::find(c.volumes.begin(), c.volumes.end(), name) != c.volumes.end())
      ids.emplace_back(id);
    return true;
  });
  return ids;
}

}  // namespace

bool remove_unused_anonymous_volume(WriteTxn& txn, const std::string& name) {
  auto v = txn.get(Db::kVolumes, name);
  if (!v || !decode_volume(*v).anonymous || !users_in(txn, name).empty()) return false;
  txn.del(Db::kVolumes, name);
  return true;
}

VolumeRecord Store::create_volume(const VolumeRecord& record) {
  check_volume_name(record.name);
  return with_context("create volume " + record.name, [&] {
    return with_space_explained(root(), "", [&] {
      // Under the publish lock, as a container's directory: gc never sees one without its record.
      FileLock publish = state_->publish_lock();
      WriteTxn txn(*state_->db);
      if (txn.contains(Db::kVolumes, record.name))
        throw Error(Errc::kAlreadyExists,
                    "volume with name " + record.name + " already exists: volume already exists");
      VolumeRecord rec = record;
      if (rec.created == 0) rec.created = unix_now();
      txn.put(Db::kVolumes, rec.name, encode_volume(rec));
      remove_tree(state_->layout.volume_dir(rec.name));  // an orphan of a crash, if any
      make_dirs(state_->layout.volume_dir(rec.name), 0700);
      // The data dir belongs to the container's root (uid 0 of dabba's namespace): 0755 as podman.
      make_dirs(volume_data_dir(rec.name), 0755);
      state_->crash_point("volume-dir-made");
      txn.commit();
      return rec;
    });
  });
}

std::optional<VolumeRecord> Store::volume(const std::string& name) const {
  ReadTxn txn(*state_->db);
  auto v = txn.get(Db::kVolumes, name);
  if (!v) return std::nullopt;
  return decode_volume(*v);
}

std::vector<VolumeRecord> Store::list_volumes() const {
  ReadTxn txn(*state_->db);
  return txn.decode_all(Db::kVolumes, decode_volume);
}

std::string Store::volume_data_dir(const std::string& name) const {
  return state_->layout.volume_dir(name) + "/_data";
}

std::vector<std::string> Store::volume_users(const std::string& name) const {
  ReadTxn txn(*state_->db);
  return users_in(txn, name);
}

void Store::remove_volume(const std::string& name) {
  // On a full disk, the volume's data goes first, then the record, with the space reserve.
  with_space_reserve(
      state_->layout,
      [&] {
        WriteTxn txn(*state_->db);
        if (!txn.contains(Db::kVolumes, name))
          throw Error(Errc::kNotFound,
                      "no volume with name \"" + name + "\" found: no such volume");
        auto users = users_in(txn, name);
        if (!users.empty()) {
          std::string ids;
          for (const auto& u : users) ids += (ids.empty() ? "" : ", ") + u;
          throw Error(Errc::kConflict,
                      "volume " + name + " is being used by the following container(s): " + ids +
                          ": volume is being used",
                      0, "remove those containers first, or use volume rm -f");
        }
        txn.del(Db::kVolumes, name);
        txn.commit();
      },
      [&] {
        // Only while nothing uses it (a container may have taken it since the first check).
        ReadTxn txn(*state_->db);
        if (users_in(txn, name).empty()) remove_tree(volume_data_dir(name));
      });
  state_->crash_point("volume-record-removed");
  // After the commit: a crash here leaves an orphan directory (create_volume of that name
  // clears it first).
  remove_tree(state_->layout.volume_dir(name));
}

}  // namespace dabba
