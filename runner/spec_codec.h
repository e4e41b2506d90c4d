// A Spec kept on disk: `create` builds the whole Spec once (image config, flags, volumes, /etc
// files) and saves it in the container's directory, so `start` and `restart` run the same
// container again without the image config, the flags or the store's image lookup: as quick as
// `run`. One JSON file (<container_dir>/spec.json), written to a temporary name and renamed, so a
// reader never sees half of it. Every field of Spec round-trips (tests/runner/spec_codec_test.cc) but preserve_fds, which names
// fds of the process that starts the container (a foreground run's, never a later start's).
#pragma once

#include <string>

#include "runner/spec.h"

namespace dabba::runner {

std::string encode_spec(const Spec& spec);
// Throws Error{kCorrupt} for text that is not a spec this build wrote; missing keys read as
// Spec's defaults, so a spec written by an older build stays readable.
Spec decode_spec(const std::string& text);

std::string spec_path(const std::string& container_dir);
// To spec_path(spec.container_dir); durable for a container meant to outlive a reboot (run,
// create): the file, its directory and that directory's entry in containers/ are flushed.
void save_spec(const Spec& spec, bool durable);
// Throws Error{kNotFound} when the container has no saved spec.
Spec load_spec(const std::string& container_dir);

}  // namespace dabba::runner
