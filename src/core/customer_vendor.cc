#include "core/customer_vendor.h"

#include "core/internal/json_fields.h"

namespace ponte {
using detail::GetString;
using detail::PutIfSet;

namespace {
std::string FirstString(const Json& object, const char* name, const char* legacy_name) {
  std::string value = GetString(object, name);
  return value.empty() ? GetString(object, legacy_name) : value;
}
}  // namespace

std::string CustomerVendor::EntityType() const {
  return document && document->is_person() ? "Person" : "Company";
}

Json CustomerVendor::ToBusinessContent() const {
  Json c = {{"InternalId", internal_id},
            {"Code", internal_id},
            {"Name", name},
            {"Type", "Customer"},
            {"EntityType", EntityType()},
            {"RegisterSituation", active ? "Active" : "Inactive"}};
  PutIfSet(c, "ShortName", short_name);
  PutIfSet(c, "Comments", comments);
  PutIfSet(c, "RegisterDate", register_date);
  if (document) {
    c["GovernmentalInformation"] = {{"Id", {document->canonical}},
                                    {"scope", "Federal"},
                                    {"name", std::string(DocumentKindName(document->kind))}};
  }
  Json addr = Json::object();
  PutIfSet(addr, "Address", address.street);
  PutIfSet(addr, "Number", address.number);
  PutIfSet(addr, "Complement", address.complement);
  PutIfSet(addr, "District", address.district);
  PutIfSet(addr, "ZIPCode", address.zip_code);
  if (!address.city_name.empty() || !address.city_code.empty()) {
    Json city = Json::object();
    PutIfSet(city, "cityCode", address.city_code);
    PutIfSet(city, "cityDescription", address.city_name);
    addr["City"] = city;
  }
  if (!address.state.empty()) addr["State"] = {{"stateId", address.state}};
  if (!addr.empty()) c["Address"] = addr;
  Json comm = Json::object();
  PutIfSet(comm, "Email", email);
  PutIfSet(comm, "PhoneNumber", phone);
  PutIfSet(comm, "HomePage", home_page);
  if (!comm.empty()) c["ListOfCommunicationInformation"] = Json::array({comm});
  return c;
}

Result<CustomerVendor> CustomerVendor::FromBusinessContent(const Json& c) {
  if (!c.is_object()) return Fail(Error::InvalidArgument("CustomerVendor content is not an object"));
  CustomerVendor cv;
  cv.internal_id = GetString(c, "InternalId");
  cv.name = GetString(c, "Name");
  cv.short_name = GetString(c, "ShortName");
  cv.comments = GetString(c, "Comments");
  cv.register_date = GetString(c, "RegisterDate");
  cv.active = GetString(c, "RegisterSituation") != "Inactive";
  if (auto gi = c.find("GovernmentalInformation"); gi != c.end() && gi->is_object()) {
    auto ids = gi->find("Id");
    if (ids != gi->end() && ids->is_array() && !ids->empty() && (*ids)[0].is_string()) {
      auto doc = ParseDocument((*ids)[0].get<std::string>());
      if (!doc) return Fail(doc.error());
      cv.document = *doc;
    }
  }
  if (auto a = c.find("Address"); a != c.end() && a->is_object()) {
    cv.address.street = GetString(*a, "Address");
    cv.address.number = GetString(*a, "Number");
    cv.address.complement = GetString(*a, "Complement");
    cv.address.district = GetString(*a, "District");
    cv.address.zip_code = GetString(*a, "ZIPCode");
    // The official names, or the ones ponte 0.1 journaled (CityCode, CityDescription,
    // StateCode), so a delivery journaled before an upgrade still carries its address.
    if (auto city = a->find("City"); city != a->end() && city->is_object()) {
      cv.address.city_code = FirstString(*city, "cityCode", "CityCode");
      cv.address.city_name = FirstString(*city, "cityDescription", "CityDescription");
    }
    if (auto st = a->find("State"); st != a->end() && st->is_object()) {
      cv.address.state = FirstString(*st, "stateId", "StateCode");
    }
  }
  if (auto list = c.find("ListOfCommunicationInformation");
      list != c.end() && list->is_array() && !list->empty() && (*list)[0].is_object()) {
    cv.email = GetString((*list)[0], "Email");
    cv.phone = GetString((*list)[0], "PhoneNumber");
    cv.home_page = GetString((*list)[0], "HomePage");
  }
  return cv;
}

}  // namespace ponte
