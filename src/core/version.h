#pragma once
// ponte's version: `ponte --version`, the package, and every message's Header.ProductVersion.
// Keep it equal to project(VERSION) in CMakeLists.txt.

namespace ponte {
inline constexpr const char* kPonteVersion = "0.1.0";
}
