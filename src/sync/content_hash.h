#pragma once
// Content hashes for echo suppression. Each system's hash covers only the fields that system
// returns when read, so a record ponte wrote hashes, when read back, to what ponte stored on
// the de/para link: the write is recognized as ponte's own and not sent back.

#include <string>

#include "core/customer_vendor.h"

namespace ponte {

// What a Ploomes contact read returns of a customer.
std::string PloomesCustomerHash(const CustomerVendor& cv);
// What a Milvus client read (cliente/busca) returns of a customer. For a person Milvus keeps
// one name (razao_social = nome_fantasia = nome).
std::string MilvusCustomerHash(const CustomerVendor& cv);

}  // namespace ponte
