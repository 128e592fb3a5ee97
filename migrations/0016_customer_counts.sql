CREATE TABLE `customer_day_counts` (
	`application_id` text NOT NULL,
	`day` text NOT NULL,
	`n` integer NOT NULL,
	PRIMARY KEY(`application_id`, `day`)
);
--> statement-breakpoint
CREATE TABLE `customer_minute_counts` (
	`application_id` text NOT NULL,
	`minute` text NOT NULL,
	`n` integer NOT NULL,
	PRIMARY KEY(`application_id`, `minute`)
);
