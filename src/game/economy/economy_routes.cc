// REST routes of the economy (rest.md §3.5): wallets, history, store, purchase, inventory,
// consume. Each runs on the shard of the HTTP connection, through that shard's
// EconomyService; without a database every route answers 503 `not_ready`.
#include "game/economy/economy_routes.h"

#include <string>

#include "game/economy/economy_service.h"
#include "game/rest_util.h"
#include "http/query.h"
#include "protocol/json_writer.h"

namespace asobi::economy {
namespace {

// Runs `next` with the caller's id and the shard's service, after the bearer check.
void WithEconomy(HttpCall& call,
                 std::function<void(HttpCall&, const std::string&, EconomyService&)> next) {
  HttpCall* c = &call;
  WithPlayer(call, [c, next = std::move(next)](const std::string& player_id) {
    EconomyService* svc = c->game.economy;
    if (svc == nullptr) return RespondError(*c, "not_ready");
    next(*c, player_id, *svc);
  });
}

// Responds `{"<key>":<rows>}` or the error for a service failure.
void RespondRows(HttpCall& c, std::string_view key, const Result<std::string>& rows) {
  if (!rows.ok()) return RespondError(c, rows.error().reason);
  std::string body = "{\"";
  body.append(key);
  body.append("\":");
  body.append(rows.value());
  body.push_back('}');
  RespondJson(c, std::move(body));
}

void Wallets(HttpCall& call) {
  WithEconomy(call, [](HttpCall& c, const std::string& player_id, EconomyService& svc) {
    svc.Balances(player_id, [&c](Result<std::vector<WalletBalance>> r) {
      if (!r.ok()) return RespondError(c, r.error().reason);
      JsonWriter w;
      w.BeginObject();
      w.Key("wallets");
      w.BeginArray();
      for (const WalletBalance& b : r.value()) {
        w.BeginObject();
        w.Key("currency");
        w.String(b.currency);
        w.Key("balance");
        w.Int(b.balance);
        w.EndObject();
      }
      w.EndArray();
      w.EndObject();
      RespondJson(c, w.Take());
    });
  });
}

void History(HttpCall& call) {
  std::string currency(call.route.Param("currency"));
  int limit = int(http::IntParam(call.request.query, "limit", 50, 1, 200));
  WithEconomy(call,
              [currency, limit](HttpCall& c, const std::string& player_id, EconomyService& svc) {
                svc.History(player_id, currency, limit,
                            [&c](Result<std::string> r) { RespondRows(c, "transactions", r); });
              });
}

void Store(HttpCall& call) {
  std::optional<std::string> currency = http::GetParam(call.request.query, "currency");
  WithEconomy(call, [currency](HttpCall& c, const std::string&, EconomyService& svc) {
    svc.Listings(currency, [&c](Result<std::string> r) { RespondRows(c, "listings", r); });
  });
}

// rest.md §3.5: 400 listing_inactive, 402 insufficient_funds, 500 purchase_failed (unknown
// listing and every other failure; details.reason says which).
void RespondPurchaseError(HttpCall& c, const std::string& reason) {
  if (reason == "listing_inactive") {
    return RespondError(c, "economy.listing_inactive", "The listing is not active.");
  }
  if (reason == "insufficient_funds") {
    return RespondError(c, "economy.insufficient_funds", "The wallet balance is too low.");
  }
  JsonWriter d;
  d.BeginObject();
  d.Key("reason");
  d.String(reason);
  d.EndObject();
  RespondError(c, "economy.purchase_failed", "The purchase did not happen.", d.Take());
}

void Purchase(HttpCall& call) {
  WithEconomy(call, [](HttpCall& c, const std::string& player_id, EconomyService& svc) {
    JsonValue body;
    if (!ParseBody(c, &body)) return;
    std::optional<JsonValue> field = GetField(body, "listing_id");
    if (!field) return RespondError(c, "missing_field", "listing_id is required.");
    std::optional<std::string_view> listing = GetString(body, "listing_id");
    if (!listing) return RespondError(c, "invalid_payload", "listing_id must be a string.");
    // `quantity` is ignored: a purchase is always one item (rest.md §6 note 5).
    svc.Purchase(player_id, std::string(*listing), [&c](Result<PurchaseResult> r) {
      if (!r.ok()) return RespondPurchaseError(c, r.error().reason);
      std::string body = "{\"success\":true,\"item\":";
      body.append(r->item_json);
      body.push_back('}');
      RespondJson(c, std::move(body));
    });
  });
}

void Inventory(HttpCall& call) {
  int limit = int(http::IntParam(call.request.query, "limit", 50, 1, 200));
  WithEconomy(call, [limit](HttpCall& c, const std::string& player_id, EconomyService& svc) {
    svc.Inventory(player_id, limit, [&c](Result<std::string> r) { RespondRows(c, "items", r); });
  });
}

void RespondConsumeError(HttpCall& c, const std::string& reason) {
  if (reason == "invalid_quantity") {
    return RespondError(c, "inventory.invalid_quantity",
                        "quantity must be an integer from 1 to 1000000.");
  }
  if (reason == "item_not_found")
    return RespondError(c, "inventory.item_not_found", "No such item.");
  if (reason == "forbidden") return RespondError(c, "forbidden", "The item is not yours.");
  if (reason == "insufficient_quantity") {
    return RespondError(c, "inventory.insufficient_quantity", "Not that many of the item.");
  }
  RespondError(c, reason);
}

void Consume(HttpCall& call) {
  WithEconomy(call, [](HttpCall& c, const std::string& player_id, EconomyService& svc) {
    JsonValue body;
    if (!ParseBody(c, &body)) return;
    if (!GetField(body, "item_id")) return RespondError(c, "missing_field", "item_id is required.");
    std::optional<std::string_view> item = GetString(body, "item_id");
    if (!item) return RespondError(c, "invalid_payload", "item_id must be a string.");
    // Required, an integer (2.0, "2" and 1e3 are not), 1 .. 1000000.
    std::optional<int64_t> quantity = GetInt(body, "quantity");
    if (!quantity || *quantity < 1 || *quantity > kMaxConsumeQuantity) {
      return RespondConsumeError(c, "invalid_quantity");
    }
    svc.Consume(player_id, std::string(*item), *quantity, [&c](Result<int64_t> r) {
      if (!r.ok()) return RespondConsumeError(c, r.error().reason);
      RespondJson(c, "{\"success\":true,\"remaining_quantity\":" + std::to_string(r.value()) + "}");
    });
  });
}

}  // namespace

void RegisterEconomyRoutes(HttpApi& api) {
  api.Add("GET", "/api/v1/wallets", &Wallets);
  api.Add("GET", "/api/v1/wallets/:currency/history", &History);
  api.Add("GET", "/api/v1/store", &Store);
  api.Add("POST", "/api/v1/store/purchase", &Purchase);
  api.Add("GET", "/api/v1/inventory", &Inventory);
  api.Add("POST", "/api/v1/inventory/consume", &Consume);
}

}  // namespace asobi::economy
