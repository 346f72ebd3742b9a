// Anchor translation unit of the target that owns the precompiled <torch/torch.h>.
