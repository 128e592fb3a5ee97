CREATE TABLE `write_guards` (
	`violation` text NOT NULL
);
