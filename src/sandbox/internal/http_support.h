#pragma once
// What every emulated endpoint shares: request counting, fault injection, and JSON answers.

#include <functional>
#include <string>

#include <httplib.h>

#include "sandbox/internal/world.h"

namespace ponte::sandbox::detail {

// The emulated API a route belongs to.
enum class Api { kPloomes, kMilvus, kTotvs };

using Handler = std::function<void(const httplib::Request&, httplib::Response&)>;

// Wraps a route handler: counts the call under `name`, checks authentication, applies an
// injected fault or the quota, then runs `handler`. `listing` marks Milvus listing endpoints
// (the ones its quota applies to).
Handler Guard(World& world, Api api, std::string name, Handler handler, bool listing = false);

void SendJson(httplib::Response& res, int status, const Json& body);
// The error body of each API: Ploomes {"error":{"code","message"}}, Milvus
// {"status_code","mensagem"}.
void SendPloomesError(httplib::Response& res, int status, std::string_view code,
                      std::string_view message);
void SendMilvusError(httplib::Response& res, int status, std::string_view message);
// The TOTVS API guide's error object: {"Code", "Message", "DetailedMessage", "HelpUrl"}.
void SendTotvsError(httplib::Response& res, int status, std::string_view code, std::string_view message);

// Parses a request body as JSON; on failure answers 400 and returns nullopt.
std::optional<Json> ParseBody(const httplib::Request& req, httplib::Response& res, Api api);

}  // namespace ponte::sandbox::detail
