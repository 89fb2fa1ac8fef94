// Placeholder so the target builds; replaced as tests are written.
