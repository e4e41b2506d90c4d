// Most verbs start by opening the store at the root the global flags chose; with_store does that
// once for them, so a verb's run function takes the open store.
#pragma once

#include <functional>
#include <utility>

#include "cli/command.h"
#include "store/store.h"

namespace dabba::cli {

// run(store) -> exit code, called with the store open (and closed again when it returns).
template <class Run>
std::function<int(const Globals&)> with_store(Run run) {
  return [run = std::move(run)](const Globals& globals) {
    Store store = Store::open(globals.root());
    return run(store);
  };
}

}  // namespace dabba::cli
