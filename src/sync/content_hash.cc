#include "sync/content_hash.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace ponte {
namespace {

// FNV-1a 64: stable across runs and machines (std::hash is neither).
std::string Fnv1a(const std::string& text) {
  uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : text) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  return fmt::format("{:016x}", h);
}

}  // namespace

std::string PloomesCustomerHash(const CustomerVendor& cv) {
  nlohmann::json j = {{"doc", cv.document ? cv.document->canonical : ""},
                      {"name", cv.name},
                      {"short", cv.short_name},
                      {"email", cv.email},
                      {"phone", cv.phone},
                      {"comments", cv.comments},
                      {"street", cv.address.street},
                      {"number", cv.address.number},
                      {"complement", cv.address.complement},
                      {"district", cv.address.district},
                      {"zip", cv.address.zip_code},
                      {"city", cv.address.city_name},
                      {"state", cv.address.state}};
  return Fnv1a(j.dump());
}

std::string MilvusCustomerHash(const CustomerVendor& cv) {
  const bool person = cv.document && cv.document->is_person();
  const std::string short_name = person || cv.short_name.empty() ? cv.name : cv.short_name;
  nlohmann::json j = {{"doc", cv.document ? cv.document->canonical : ""},
                      {"name", cv.name},
                      {"short", short_name},
                      {"active", cv.active},
                      {"comments", cv.comments},
                      {"site", cv.home_page}};
  return Fnv1a(j.dump());
}

}  // namespace ponte
