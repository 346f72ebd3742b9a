// Splits a prepared dataset's sequences into train, validation and test.
#pragma once

#include "recbench/core/data/dataset.h"

namespace recbench {

//! Derives train/valid/test and item_counts from `dataset.sequences` by `dataset.split_method`:
//! "loo" (test = last item, valid = second to last, train = the rest) or "given" (each sequence
//! is a row of the split its user token names: "train/...", "valid/..." or "test/...").
void split_dataset(PreparedDataset& dataset);

}  // namespace recbench
