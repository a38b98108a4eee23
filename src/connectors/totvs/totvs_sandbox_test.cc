// The TOTVS connector against the sandbox's ERP over loopback: writes answered with the ERP's
// InternalIds (in either spelling, or not at all), its own de/para deciding insert or update,
// InternalIdLoad, versions that cap Name, faults and a refused password.

#include <gtest/gtest.h>
#include <httplib.h>

#include "connectors/totvs/totvs_connector.h"
#include "core/base64.h"
#include "sandbox/sandbox.h"

namespace ponte::totvs {
namespace {

using std::chrono::milliseconds;

class TotvsConnectorTest : public ::testing::Test {
 protected:
  void Start(sandbox::SandboxOptions o, std::string version = "2.000", std::string password = "sandbox-totvs-password") {
    o.port = 0;
    o.totvs_customers = 12;
    o.contacts = 10;
    sandbox_ = std::move(*sandbox::Sandbox::Start(o));
    RetryPolicy fast;
    fast.base_backoff = milliseconds(10);
    fast.max_backoff = milliseconds(100);
    api_ = std::make_unique<ApiClient>(
        ApiClientOptions{"erp", sandbox_->totvs_url(), "Authorization", "Basic " + Base64Encode("ponte:" + password),
                         "PONTE_ERP_KEY", milliseconds(1500), fast},
        *transport_, nullptr, counter_, SystemClock::Get());
    TotvsOptions to;
    to.name = "erp";
    to.message_version = version;
    to.page_size = 5;  // several pages even with few customers
    erp_ = std::make_unique<TotvsConnector>(*api_, to);
  }
  nlohmann::json Stats() { return sandbox_->Stats()["totvs"]; }
  static Message CustomerMessage(const std::string& origin_id, const std::string& name, const std::string& doc) {
    CustomerVendor cv;
    cv.internal_id = origin_id;
    cv.name = name;
    cv.document = *ParseDocument(doc);
    cv.email = "compras@example.com.br";
    cv.address.city_name = "Belo Horizonte";
    cv.address.state = "MG";
    return NewMessage(kCustomerVendorTransaction, kCustomerVendorVersion, "ploomes", cv.ToBusinessContent());
  }

  std::unique_ptr<sandbox::Sandbox> sandbox_;
  std::unique_ptr<HttpTransport> transport_ = MakeCurlTransport();
  CallCounter counter_;
  std::unique_ptr<ApiClient> api_;
  std::unique_ptr<TotvsConnector> erp_;
};

TEST_F(TotvsConnectorTest, ListsEveryCustomerOverPagesWithTheErpsInternalIds) {
  Start({});
  auto listing = erp_->CustomersChangedSince(std::nullopt);
  ASSERT_TRUE(listing) << listing.error().ToString();
  EXPECT_TRUE(listing->complete);
  EXPECT_EQ(listing->records.size(), 12u);
  EXPECT_GE(listing->pages, 3);
  for (const auto& rec : listing->records) {
    auto key = SplitCustomerId(rec.internal_id);
    ASSERT_TRUE(key) << rec.internal_id;
    EXPECT_EQ(key->branch, "D MG 01 ");
    ASSERT_TRUE(rec.record.document);
  }
  auto one = erp_->ReadCustomer(listing->records[3].internal_id);
  ASSERT_TRUE(one && *one) << (one ? "none" : one.error().ToString());
  EXPECT_EQ((*one)->record.document->canonical, listing->records[3].record.document->canonical);
  EXPECT_EQ(erp_->ContentHash((*one)->record), erp_->ContentHash(listing->records[3].record));
  auto missing = erp_->ReadCustomer("T1|D MG 01 |999999|01");
  ASSERT_TRUE(missing);
  EXPECT_FALSE(*missing);
}

TEST_F(TotvsConnectorTest, TheErpsDeParaMakesTheSecondWriteAnUpdate) {
  Start({});
  const Message m = CustomerMessage("40100001", "Padaria Pão de Mel Ltda", "11.222.333/0001-81");
  auto created = erp_->WriteCustomer(m, std::nullopt);
  ASSERT_TRUE(created) << created.error().ToString();
  EXPECT_TRUE(SplitCustomerId(created->internal_id)) << created->internal_id;
  // ponte is known to the ERP by the customer's document, whichever system the message came from.
  EXPECT_NE(created->attributes.find("CNPJ|11222333000181"), std::string::npos) << created->attributes;
  EXPECT_EQ(Stats()["customers"], 13);
  // The same message again (a retry after a crash, before ponte linked it): the ERP knows
  // ponte's InternalId and updates the customer it made.
  auto again = erp_->WriteCustomer(m, std::nullopt);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->internal_id, created->internal_id);
  EXPECT_EQ(Stats()["customers"], 13);
  EXPECT_EQ(Stats()["duplicate_documents"], 0);
  // What it holds hashes, read back, to what the write said.
  auto read = erp_->ReadCustomer(created->internal_id);
  ASSERT_TRUE(read && *read);
  EXPECT_EQ(erp_->ContentHash((*read)->record), created->content_hash);
  auto found = erp_->FindCustomers(*ParseDocument("11222333000181"));
  ASSERT_TRUE(found);
  ASSERT_EQ(found->size(), 1u);
  EXPECT_EQ(found->front().internal_id, created->internal_id);
  EXPECT_EQ(erp_->ContentHash(found->front().record), created->content_hash);
  // The same customer from Milvus (another route, before either write was linked): the same record.
  Message from_milvus = CustomerMessage("30042", "Padaria Pão de Mel", "11222333000181");
  from_milvus.product_name = "milvus";
  auto same = erp_->WriteCustomer(from_milvus, std::nullopt);
  ASSERT_TRUE(same);
  EXPECT_EQ(same->internal_id, created->internal_id);
  EXPECT_EQ(Stats()["customers"], 13);
  EXPECT_EQ(Stats()["duplicate_documents"], 0);
}

TEST_F(TotvsConnectorTest, AnAdoptedCustomerIsUpdatedNotCreatedAgain) {
  Start({});
  auto listing = erp_->CustomersChangedSince(std::nullopt);
  ASSERT_TRUE(listing);
  const auto& theirs = listing->records[0];
  Message m = CustomerMessage("40100077", "Cliente Vinculado Ltda", theirs.record.document->canonical);
  auto attributes = erp_->AdoptCustomer(theirs.internal_id, m);
  ASSERT_TRUE(attributes) << attributes.error().ToString();
  EXPECT_EQ(Stats()["internal_id_loads"], 1);
  auto updated = erp_->WriteCustomer(m, LinkedRecord{theirs.internal_id, *attributes});
  ASSERT_TRUE(updated) << updated.error().ToString();
  EXPECT_EQ(updated->internal_id, theirs.internal_id);
  EXPECT_EQ(Stats()["customers"], 12);
  // A record the ERP does not have is refused by name.
  auto refused = erp_->LoadInternalIds({{"ploomes|1", "T1|D MG 01 |999999|01"}});
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("999999"), std::string::npos) << refused.error().message;
}

TEST_F(TotvsConnectorTest, ANameTheVersionCannotHoldIsRefusedNamingTheField) {
  Start({});
  const std::string name(41, 'A');
  auto r = erp_->WriteCustomer(CustomerMessage("40100002", name, "529.982.247-25"), std::nullopt);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(r.error().message.find("/Name: is 41 characters long, more than the 40"), std::string::npos) << r.error().message;
  EXPECT_NE(r.error().message.find("message_version"), std::string::npos);
  EXPECT_EQ(Stats()["customers"], 12);  // nothing sent
  // An ERP refusal inside an HTTP 200 is a refusal, not a success: the sandbox's ERP requires
  // a name, which a canonical message may lack.
  auto refused = erp_->WriteCustomer(CustomerMessage("40100003", "", "529.982.247-25"), std::nullopt);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kInvalidArgument) << refused.error().ToString();
  EXPECT_NE(refused.error().message.find("erp refused customer CPF|52998224725: MATA030: Name"), std::string::npos)
      << refused.error().message;
  EXPECT_EQ(Stats()["customers"], 12);
}

TEST_F(TotvsConnectorTest, AnAcknowledgedWriteIsFoundByDocument) {
  sandbox::SandboxOptions o;
  o.totvs_answer = "ack_only";
  Start(o);
  auto created = erp_->WriteCustomer(CustomerMessage("40100004", "Oficina Dois Irmãos", "529.982.247-25"), std::nullopt);
  ASSERT_TRUE(created) << created.error().ToString();
  auto read = erp_->ReadCustomer(created->internal_id);
  ASSERT_TRUE(read && *read);
  EXPECT_EQ((*read)->record.document->canonical, "52998224725");
}

TEST_F(TotvsConnectorTest, LowerCaseInternalIdsAreRead) {
  sandbox::SandboxOptions o;
  o.totvs_id_case = "lower";
  Start(o);
  auto created = erp_->WriteCustomer(CustomerMessage("40100005", "Mercado Bom Preço", "529.982.247-25"), std::nullopt);
  ASSERT_TRUE(created) << created.error().ToString();
  EXPECT_TRUE(SplitCustomerId(created->internal_id));
}

TEST_F(TotvsConnectorTest, FaultsAreRetriedAndARefusedPasswordStopsTheSystem) {
  sandbox::SandboxOptions o;
  o.faults = "totvs:500=0.3,totvs:malformed=0.2";
  o.seed = 5;
  Start(o);
  auto listing = erp_->CustomersChangedSince(std::nullopt);
  ASSERT_TRUE(listing) << listing.error().ToString();
  EXPECT_EQ(listing->records.size(), 12u);
  EXPECT_GT(sandbox_->Stats()["faults_injected"].size(), 0u);

  Start({}, "2.000", "wrong-password");
  auto refused = erp_->CustomersChangedSince(std::nullopt);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kUnauthenticated) << refused.error().ToString();
  EXPECT_TRUE(refused.error().halts_system);
  EXPECT_NE(refused.error().ToString().find("PONTE_ERP_KEY"), std::string::npos) << refused.error().ToString();
  EXPECT_EQ(refused.error().ToString().find("wrong-password"), std::string::npos);
}

}  // namespace
}  // namespace ponte::totvs
