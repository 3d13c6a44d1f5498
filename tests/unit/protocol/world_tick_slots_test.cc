// SlotTable (websocket.md §11.2): forward allocation with wraparound, generations, exhaustion.
#include <gtest/gtest.h>

#include <string>

#include "protocol/world_tick/slot_table.h"

namespace asobi::world_tick {
namespace {

using Binding = SlotTable::Binding;

// `prefix` then `i` in decimal.
std::string Id(int i, std::string prefix = "e") {
  prefix += std::to_string(i);
  return prefix;
}

TEST(SlotTableTest, NewEntitiesTakeSlotsInOrderWithGenerationZero) {
  SlotTable t;
  for (int i = 0; i < 5; ++i) EXPECT_EQ(t.Bind(Id(i)), (Binding{uint16_t(i), 0}));
  EXPECT_EQ(t.size(), 5u);
  EXPECT_EQ(t.Find(Id(3)), (Binding{3, 0}));
  EXPECT_EQ(t.Find("nobody"), std::nullopt);
  // Binding an id that is already bound keeps its slot.
  EXPECT_EQ(t.Bind(Id(2)), (Binding{2, 0}));
  EXPECT_EQ(t.size(), 5u);
}

TEST(SlotTableTest, AReleasedSlotIsReusedOnlyAfterTheCursorWrapsAndItsGenAdvances) {
  SlotTable t;
  ASSERT_EQ(t.Bind("a"), (Binding{0, 0}));
  ASSERT_EQ(t.Bind("b"), (Binding{1, 0}));
  EXPECT_TRUE(t.Release("a"));
  EXPECT_FALSE(t.Release("a"));
  EXPECT_EQ(t.Find("a"), std::nullopt);
  // The cursor moves forward: slot 0 is not handed out again yet.
  EXPECT_EQ(t.Bind("c"), (Binding{2, 0}));
  // Walk the cursor to the end of the slot space.
  for (int i = 3; i < 65536; ++i) ASSERT_EQ(t.Bind(Id(i)), (Binding{uint16_t(i), 0}));
  // Wrapped: slot 0 is free and comes back with the next generation; slot 1 is skipped.
  EXPECT_EQ(t.Bind("d"), (Binding{0, 1}));
  EXPECT_EQ(t.size(), 65536u);
}

TEST(SlotTableTest, AllSlotsInUseRefusesAndAReleaseMakesRoom) {
  SlotTable t;
  for (int i = 0; i < 65536; ++i) ASSERT_TRUE(t.Bind(Id(i)).has_value());
  EXPECT_EQ(t.Bind("one-too-many"), std::nullopt);
  EXPECT_EQ(t.size(), 65536u);
  ASSERT_TRUE(t.Release(Id(40000)));
  EXPECT_EQ(t.Bind("one-too-many"), (Binding{40000, 1}));
  EXPECT_EQ(t.Bind("another"), std::nullopt);
}

TEST(SlotTableTest, GenerationWrapsModulo256) {
  SlotTable t;
  for (int i = 0; i < 65536; ++i) ASSERT_TRUE(t.Bind(Id(i)).has_value());
  // With every other slot taken, slot 7 is rebound again and again.
  std::string holder = Id(7);
  for (int gen = 1; gen <= 256; ++gen) {
    ASSERT_TRUE(t.Release(holder));
    holder = Id(gen, "r");
    ASSERT_EQ(t.Bind(holder), (Binding{7, uint8_t(gen % 256)})) << gen;
  }
}

}  // namespace
}  // namespace asobi::world_tick
