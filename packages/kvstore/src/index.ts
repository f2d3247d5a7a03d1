// @bkt/kvstore — Key-value stores for parameter synchronisation: local and device stores, 2-bit gradient compression.
// Not built yet: see the open issue for this package.
export {};
