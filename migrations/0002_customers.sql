CREATE TABLE `customer_search_docs` (
	`doc_id` integer PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`application_id` text NOT NULL,
	`name` text DEFAULT '' NOT NULL,
	`emails` text DEFAULT '' NOT NULL,
	`phones` text DEFAULT '' NOT NULL,
	`ids` text DEFAULT '' NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `customer_search_docs_user_uq` ON `customer_search_docs` (`user_id`);