#pragma once
// One system as the hub sees it, in canonical terms: customers (CustomerVendor) read since a
// cursor, read by InternalId, found by natural key (CPF/CNPJ), and written as messages that
// return the InternalIds they produced. What is peculiar to a system (Ploomes' document field,
// Milvus' capped listing, the ERP's own de/para) stays behind this interface; the sync engine
// routes messages between named instances of it (docs/hub.md).

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/customer_vendor.h"
#include "core/document.h"
#include "core/listing.h"
#include "core/message.h"
#include "core/time.h"

namespace ponte {

// A record of this system that the de/para links already, with the connector's own data kept
// on the link (a JSON object: a Milvus client's token, the InternalId the ERP knows ponte by).
struct LinkedRecord {
  std::string internal_id;
  std::string attributes = "{}";
};

// What a write left in the system.
struct CustomerWrite {
  std::string internal_id;   // the record's InternalId in this system
  std::string content_hash;  // ContentHash of what the system now holds
  std::string attributes = "{}";  // connector data to keep on the link
  // The system tells some of the link's attributes only later (a new Milvus client's token
  // shows in a listing): ask LateAttributes for this record.
  bool attributes_later = false;
};

// A record whose link lacks attributes the system tells only later, with its document (how a
// system finds one record without a listing).
struct AwaitedRecord {
  std::string internal_id;
  Document document;
};

class CustomerSystem {
 public:
  virtual ~CustomerSystem() = default;

  // The configured instance ("erp", "ploomes") and its connector kind ("totvs", "ploomes").
  virtual const std::string& name() const = 0;
  virtual std::string_view kind() const = 0;

  // Customers changed since `since` (nullopt: every one). A system without change dates lists
  // every customer each time; complete is false, with the reason, when it could not see all.
  virtual Result<Listing<CustomerVendor>> CustomersChangedSince(std::optional<Instant> since) = 0;
  // Whether listings carry the system's change and creation dates (cursors and cutoffs need
  // them); without, a route compares content hashes on every run instead.
  virtual bool KeepsChangeDates() const = 0;
  // One customer by its InternalId; nullopt when the system has none.
  virtual Result<std::optional<SourceRecord<CustomerVendor>>> ReadCustomer(const std::string& internal_id) = 0;
  // The customers holding this CPF/CNPJ, however the system typed it (normally zero or one).
  virtual Result<std::vector<SourceRecord<CustomerVendor>>> FindCustomers(const Document& doc) = 0;

  // What to index before "create or link?" is asked of this system `lookups_ahead` times: by
  // default the customers changed since `since`. A system whose whole listing is dear may
  // answer a cheaper partial one (complete false) when the lookups cost less than the rest of
  // the listing; every customer the index does not know is then looked up (FindCustomers).
  virtual Result<Listing<CustomerVendor>> CustomersToIndex(std::optional<Instant> since, size_t lookups_ahead) {
    (void)lookups_ahead;
    return CustomersChangedSince(since);
  }
  // After FindCustomers found nothing for a write that may have landed: a record that write
  // left half made (a Ploomes contact created but cut off before its document was set), since
  // `since`, completed from `message` now. nullopt when there is none.
  virtual Result<std::optional<SourceRecord<CustomerVendor>>> RecoverInterruptedWrite(const Message& message,
                                                                                      Instant since) {
    (void)message;
    (void)since;
    return std::optional<SourceRecord<CustomerVendor>>();
  }
  // The link attributes these records' writes left for later (CustomerWrite::attributes_later),
  // asked for all at once: InternalId -> attributes (a JSON object's text). It may answer
  // records it was not asked for (worth keeping). `thorough`: records one listing does not
  // answer are looked up one by one; otherwise they are left out, for a later ask.
  virtual Result<std::map<std::string, std::string>> LateAttributes(const std::vector<AwaitedRecord>& records,
                                                                     bool thorough) {
    (void)records;
    (void)thorough;
    return std::map<std::string, std::string>();
  }
  // The name its pushes (webhooks) give its customers, "" when it pushes none: a pushed record
  // of that name feeds a customer route out of this system.
  virtual std::string_view PushedEntitySet() const { return {}; }
  // What one of its customers is called, for the report: "contact", "client", "customer".
  virtual std::string_view record_noun() const { return "customer"; }

  // Writes the customer a CustomerVendor message carries: an update of `linked` when the
  // de/para knows its record here, a new record otherwise. A message this system cannot take
  // (a field past its version's limit) is InvalidArgument naming the field.
  virtual Result<CustomerWrite> WriteCustomer(const Message& message, const std::optional<LinkedRecord>& linked) = 0;
  // A record found by natural key joins the entity without a write. A system that keeps its
  // own de/para (a TOTVS ERP) is told which InternalId ponte will send for it, so a later
  // update reaches that record instead of creating another. Answers the link's attributes.
  virtual Result<std::string> AdoptCustomer(const std::string& internal_id, const Message& message) = 0;

  // The hash of what this system keeps of a customer: the same for a record as written and as
  // read back, so ponte's own write is not taken for a change (echo suppression).
  virtual std::string ContentHash(const CustomerVendor& cv) const = 0;
};

}  // namespace ponte
