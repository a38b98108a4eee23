#pragma once

namespace ponte {
inline constexpr const char* kPonteVersion = "0.1.0";
}
