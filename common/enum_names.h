// An enum's words in one table, read both ways, for the enums that dabba prints and parses by the
// same words (a restart policy's kind, a container's status): each word is written once.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

namespace dabba {

template <class E>
struct EnumName {
  E value;
  std::string_view name;  // a string literal, so name.data() is a C string
};

// The name of value in table; fallback where the table lacks it.
template <class E, size_t N>
constexpr std::string_view name_of(const EnumName<E> (&table)[N], E value,
                                   std::string_view fallback = {}) {
  for (const EnumName<E>& e : table)
    if (e.value == value) return e.name;
  return fallback;
}

// The value named name in table; nullopt for a name it lacks.
template <class E, size_t N>
constexpr std::optional<E> value_of(const EnumName<E> (&table)[N], std::string_view name) {
  for (const EnumName<E>& e : table)
    if (e.name == name) return e.value;
  return std::nullopt;
}

}  // namespace dabba
