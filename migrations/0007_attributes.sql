CREATE TABLE `attribute_definitions` (
	`id` text PRIMARY KEY NOT NULL,
	`key` integer NOT NULL,
	`application_id` text NOT NULL,
	`name` text NOT NULL,
	`slug` text NOT NULL,
	`description` text DEFAULT '' NOT NULL,
	`type` text NOT NULL,
	`icon` text DEFAULT '' NOT NULL,
	`ordering_channels` text DEFAULT '[]' NOT NULL,
	`masking` text NOT NULL,
	`registration` text NOT NULL,
	`is_multi_value` integer DEFAULT false NOT NULL,
	`customer_editable` integer DEFAULT false NOT NULL,
	`encrypted` integer DEFAULT false NOT NULL,
	`pinned` integer DEFAULT false NOT NULL,
	`pin_order` integer DEFAULT 0 NOT NULL,
	`is_locked` integer DEFAULT false NOT NULL,
	`default_value` text,
	`validations` text DEFAULT '[]' NOT NULL,
	`options` text DEFAULT '[]' NOT NULL,
	`created_by` text NOT NULL,
	`updated_by` text NOT NULL,
	`created_at` text NOT NULL,
	`modified_at` text NOT NULL,
	`version` integer DEFAULT 0 NOT NULL,
	FOREIGN KEY (`application_id`) REFERENCES `applications`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `attribute_definitions_app_slug_uq` ON `attribute_definitions` (`application_id`,`slug`);--> statement-breakpoint
CREATE UNIQUE INDEX `attribute_definitions_key_uq` ON `attribute_definitions` (`key`);--> statement-breakpoint
CREATE TABLE `attribute_subjects` (
	`seq` integer PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`application_id` text NOT NULL,
	`created_at` text NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `attribute_subjects_user_uq` ON `attribute_subjects` (`user_id`);--> statement-breakpoint
CREATE INDEX `attribute_subjects_app_created_idx` ON `attribute_subjects` (`application_id`,`created_at`,`seq`);--> statement-breakpoint
CREATE TABLE `attribute_values` (
	`def_key` integer NOT NULL,
	`subject` integer NOT NULL,
	`value_text` text,
	`value_fold` text,
	`value_num` real,
	`month_day` integer,
	FOREIGN KEY (`def_key`) REFERENCES `attribute_definitions`(`key`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`subject`) REFERENCES `attribute_subjects`(`seq`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `attribute_values_num_idx` ON `attribute_values` (`def_key`,`value_num`,`subject`);--> statement-breakpoint
CREATE INDEX `attribute_values_fold_idx` ON `attribute_values` (`def_key`,`value_fold`,`subject`);--> statement-breakpoint
CREATE INDEX `attribute_values_month_day_idx` ON `attribute_values` (`def_key`,`month_day`,`subject`);--> statement-breakpoint
CREATE INDEX `attribute_values_subject_idx` ON `attribute_values` (`subject`,`def_key`,`value_num`,`value_fold`,`month_day`);--> statement-breakpoint
CREATE TABLE `user_attributes` (
	`id` text PRIMARY KEY NOT NULL,
	`application_id` text NOT NULL,
	`user_id` text NOT NULL,
	`definition_id` text NOT NULL,
	`value` text,
	`ciphertext` text,
	`customer_overridden` integer DEFAULT false NOT NULL,
	`updated_by` text NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`definition_id`) REFERENCES `attribute_definitions`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `user_attributes_def_user_uq` ON `user_attributes` (`definition_id`,`user_id`);--> statement-breakpoint
CREATE INDEX `user_attributes_user_idx` ON `user_attributes` (`user_id`,`definition_id`);--> statement-breakpoint
CREATE TABLE `user_group_members` (
	`group_id` text NOT NULL,
	`user_id` text NOT NULL,
	`added_at` text NOT NULL,
	PRIMARY KEY(`group_id`, `user_id`),
	FOREIGN KEY (`group_id`) REFERENCES `user_groups`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `user_group_members_user_idx` ON `user_group_members` (`user_id`);--> statement-breakpoint
CREATE TABLE `user_groups` (
	`id` text PRIMARY KEY NOT NULL,
	`application_id` text NOT NULL,
	`uid` integer NOT NULL,
	`name` text NOT NULL,
	`description` text NOT NULL,
	`type` text NOT NULL,
	`status` text NOT NULL,
	`is_active` integer DEFAULT true NOT NULL,
	`file_url` text DEFAULT '' NOT NULL,
	`conditions` text DEFAULT '[]' NOT NULL,
	`error_count` integer DEFAULT 0 NOT NULL,
	`error_file_url` text DEFAULT '' NOT NULL,
	`created_at` text NOT NULL,
	`modified_at` text NOT NULL,
	`version` integer DEFAULT 0 NOT NULL,
	FOREIGN KEY (`application_id`) REFERENCES `applications`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `user_groups_app_uid_uq` ON `user_groups` (`application_id`,`uid`);--> statement-breakpoint
CREATE INDEX `user_groups_app_created_idx` ON `user_groups` (`application_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `user_jobs` (
	`id` text PRIMARY KEY NOT NULL,
	`application_id` text NOT NULL,
	`company_id` text NOT NULL,
	`action_type` text NOT NULL,
	`file_name` text NOT NULL,
	`file_format` text NOT NULL,
	`status` text NOT NULL,
	`created_by_name` text NOT NULL,
	`created_by_id` text NOT NULL,
	`total` integer DEFAULT 0 NOT NULL,
	`success` integer DEFAULT 0 NOT NULL,
	`error` integer DEFAULT 0 NOT NULL,
	`source_url` text,
	`cursor` text,
	`chunk` integer DEFAULT 0 NOT NULL,
	`columns` text,
	`parts` text DEFAULT '[]' NOT NULL,
	`file_id` text,
	`error_file_id` text,
	`message` text,
	`base_url` text NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	FOREIGN KEY (`application_id`) REFERENCES `applications`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `user_jobs_app_type_created_idx` ON `user_jobs` (`application_id`,`action_type`,`created_at`);