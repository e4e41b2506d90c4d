// The names images carry in the store, and finding an image from what a user typed.
//
//   registry/repo:tag            a tag ("docker.io/library/alpine:3.20")
//   registry/repo@sha256:<hex>   the digest the registry knows the image by (for a
//                                multi-platform image, the index digest)
//   <none>@sha256:<hex>          an image with no name at all (a `dabba load` of an unnamed
//                                image), kept by its manifest digest; listed as <none> <none>
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "oci/digest.h"
#include "oci/image_ref.h"
#include "store/records.h"
#include "store/store.h"

namespace dabba {

// "registry/repo:tag", or "" when ref has no tag (name@digest).
std::string tag_name(const ImageRef& ref);
// "registry/repo@<digest>".
std::string digest_name(const ImageRef& ref, const Digest& digest);
std::string dangling_name(const Digest& manifest);
bool is_dangling_name(std::string_view name);

// A stored name split for display: repository "127.0.0.1:5000/rig/busybox", tag "latest" or
// digest "sha256:..". A dangling name has an empty repository.
struct NameParts {
  std::string repository;
  std::string tag;
  std::string digest;
};
NameParts split_name(std::string_view name);

// The name podman gives a new local image (tag, commit, import): a text that names no registry
// lives in localhost/ ("x" -> localhost/x:latest, "a/b:1" -> localhost/a/b:1); others as pull
// normalises them. Throws Error{kInvalidArgument} for a bad reference or one with a digest.
std::string local_image_name(std::string_view text);
// True when text's first path component is a registry (has '.' or ':', or is localhost).
bool names_registry(std::string_view text);

// add_image, then drops the image's dangling name if it now has a real one.
ImageRecord add_named_image(Store& store, const ImageRecord& image,
                            const std::vector<std::string>& names,
                            Store::NamePlace place = Store::NamePlace::kFirst);

// The image text names in the store: a reference ("alpine", "host:5000/a/b:tag",
// "name@sha256:.."), normalised as a pull would; else an exact stored name, a manifest digest,
// an image id or a unique id prefix (Store::resolve_image). nullopt when there is none; throws
// Error{kInvalidArgument} for an ambiguous id prefix.
std::optional<ImageRecord> find_image(const Store& store, std::string_view text);

// The stored name text refers to, if it names one (normalised like find_image).
// Lookups try a text without a registry as pull normalises it (docker.io/library/x) and then as
// podman names local images (localhost/x).
std::optional<std::string> find_name(const Store& store, std::string_view text);

// What `dabba rmi TEXT` drops. A tag: that name, and the repository's digest names with its last
// tag there; with no tag left at all, every remaining name (the image goes). An image id or
// digest: every name; refused (kConflict) when the image has several tags, unless force. Refused
// (kConflict) without force when the image would go while containers use it. Throws kNotFound
// when text names no image.
struct Removal {
  ImageRecord image;
  std::vector<std::string> names;  // to drop, in order
  bool all_names = false;          // the image loses every name
};
Removal plan_removal(const Store& store, std::string_view text, bool force);

}  // namespace dabba
