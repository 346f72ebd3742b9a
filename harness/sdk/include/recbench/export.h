// Symbol visibility for the SDK: everything is hidden unless marked RECBENCH_API.
#pragma once

#define RECBENCH_API __attribute__((visibility("default")))
