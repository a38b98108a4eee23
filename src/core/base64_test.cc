#include "core/base64.h"

#include <gtest/gtest.h>

namespace ponte {
namespace {

TEST(Base64Test, EncodesTheVectorsOfRfc4648) {
  EXPECT_EQ(Base64Encode(""), "");
  EXPECT_EQ(Base64Encode("f"), "Zg==");
  EXPECT_EQ(Base64Encode("fo"), "Zm8=");
  EXPECT_EQ(Base64Encode("foo"), "Zm9v");
  EXPECT_EQ(Base64Encode("foob"), "Zm9vYg==");
  EXPECT_EQ(Base64Encode("fooba"), "Zm9vYmE=");
  EXPECT_EQ(Base64Encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(Base64Encode("ponte:s\xC3\xA9nha\xFF"), "cG9udGU6c8Opbmhh/w==");
}

}  // namespace
}  // namespace ponte
