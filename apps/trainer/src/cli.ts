// bkt-train: arrives with the trainer issue; the packages below it are built first.
export {};
