// Splits a prepared dataset's sequences into train, validation and test.
#pragma once

#include "recbench/core/data/dataset.h"

namespace recbench {

//! Derives train/valid/test and item_counts from `dataset.sequences` (leave-one-out: test = last
//! item, valid = second to last, train = the rest).
void split_dataset(PreparedDataset& dataset);

}  // namespace recbench
