#include "core/utf8.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <random>
#include <string>

namespace ponte {
namespace {

TEST(Utf8Test, AcceptsWellFormedAndRefusesTheRest) {
  EXPECT_TRUE(IsValidUtf8(""));
  EXPECT_TRUE(IsValidUtf8("Instalação — São Paulo ✓ 😀"));
  for (const char* bad : {"\xff", "%\xff", "\xc0\xaf", "\xe0\x80\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xc3",
                          "a\xe2\x82"}) {
    EXPECT_FALSE(IsValidUtf8(bad)) << nlohmann::json(std::string(bad)).dump(-1, ' ', false,
                                                                             nlohmann::json::error_handler_t::replace);
  }
}

// Agrees with nlohmann::json's own check on random bytes: what IsValidUtf8 accepts can be dumped.
TEST(Utf8Test, AgreesWithTheJsonLibraryOnRandomBytes) {
  std::mt19937 rng(7);
  for (int i = 0; i < 20000; ++i) {
    std::string s(rng() % 6, '\0');
    for (auto& c : s) c = static_cast<char>(rng() % 256);
    bool json_ok = true;
    try {
      (void)nlohmann::json(s).dump();
    } catch (const nlohmann::json::type_error&) {
      json_ok = false;
    }
    EXPECT_EQ(IsValidUtf8(s), json_ok) << i;
  }
}

}  // namespace
}  // namespace ponte
