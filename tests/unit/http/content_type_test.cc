#include "http/content_type.h"

#include <gtest/gtest.h>

namespace asobi::http {
namespace {

TEST(ContentType, JsonTypesWithParametersAndAnyCase) {
  for (std::string_view v : {"application/json", "application/json; charset=utf-8",
                             "Application/JSON", " application/json ;charset=UTF-8",
                             "application/merge-patch+json", "application/vnd.asobi+json; v=1"}) {
    EXPECT_TRUE(IsJsonContentType(v)) << v;
  }
}

TEST(ContentType, CorsSafelistedAndOtherTypesAreNotJson) {
  for (std::string_view v :
       {"", "text/plain", "text/plain; charset=utf-8", "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x", "text/json", "application/jsonp", "application/+json",
        "application/a/b+json", "application/json-seq", "json", "application/ json"}) {
    EXPECT_FALSE(IsJsonContentType(v)) << v;
  }
}

}  // namespace
}  // namespace asobi::http
