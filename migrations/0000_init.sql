CREATE TABLE `events` (
	`id` text PRIMARY KEY NOT NULL,
	`application_id` text NOT NULL,
	`user_id` text,
	`type` text NOT NULL,
	`title` text NOT NULL,
	`sub_title` text,
	`actor` text NOT NULL,
	`visible` integer DEFAULT true NOT NULL,
	`data` text,
	`created_at` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `events_user_idx` ON `events` (`user_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `events_app_idx` ON `events` (`application_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `application_origins` (
	`application_id` text NOT NULL,
	`origin` text NOT NULL,
	PRIMARY KEY(`application_id`, `origin`),
	FOREIGN KEY (`application_id`) REFERENCES `applications`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `application_origins_origin_idx` ON `application_origins` (`origin`);--> statement-breakpoint
CREATE TABLE `applications` (
	`id` text PRIMARY KEY NOT NULL,
	`company_id` text NOT NULL,
	`name` text NOT NULL,
	`token_hash` text NOT NULL,
	`config` text NOT NULL,
	`config_version` integer DEFAULT 0 NOT NULL,
	`config_etag` text,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	FOREIGN KEY (`company_id`) REFERENCES `companies`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `applications_company_idx` ON `applications` (`company_id`);--> statement-breakpoint
CREATE TABLE `companies` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`created_at` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `platform_clients` (
	`client_id` text PRIMARY KEY NOT NULL,
	`company_id` text NOT NULL,
	`secret_hash` text NOT NULL,
	`name` text NOT NULL,
	`active` integer DEFAULT true NOT NULL,
	`created_at` text NOT NULL,
	FOREIGN KEY (`company_id`) REFERENCES `companies`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `platform_clients_company_client_idx` ON `platform_clients` (`company_id`,`client_id`);--> statement-breakpoint
CREATE TABLE `user_emails` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`application_id` text NOT NULL,
	`email` text NOT NULL,
	`is_primary` integer DEFAULT false NOT NULL,
	`verified` integer DEFAULT false NOT NULL,
	`active` integer DEFAULT true NOT NULL,
	`created_at` text NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `user_emails_claimed_uq` ON `user_emails` (`application_id`,`email`) WHERE "user_emails"."active" = 1 and ("user_emails"."verified" = 1 or "user_emails"."is_primary" = 1);--> statement-breakpoint
CREATE UNIQUE INDEX `user_emails_one_primary_uq` ON `user_emails` (`user_id`) WHERE "user_emails"."is_primary" = 1;--> statement-breakpoint
CREATE UNIQUE INDEX `user_emails_user_email_uq` ON `user_emails` (`user_id`,`email`);--> statement-breakpoint
CREATE INDEX `user_emails_app_email_idx` ON `user_emails` (`application_id`,`email`);--> statement-breakpoint
CREATE TABLE `user_phones` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`application_id` text NOT NULL,
	`country_code` integer NOT NULL,
	`phone` text NOT NULL,
	`e164` text NOT NULL,
	`is_primary` integer DEFAULT false NOT NULL,
	`verified` integer DEFAULT false NOT NULL,
	`active` integer DEFAULT true NOT NULL,
	`created_at` text NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `user_phones_claimed_uq` ON `user_phones` (`application_id`,`e164`) WHERE "user_phones"."active" = 1 and ("user_phones"."verified" = 1 or "user_phones"."is_primary" = 1);--> statement-breakpoint
CREATE UNIQUE INDEX `user_phones_one_primary_uq` ON `user_phones` (`user_id`) WHERE "user_phones"."is_primary" = 1;--> statement-breakpoint
CREATE UNIQUE INDEX `user_phones_user_phone_uq` ON `user_phones` (`user_id`,`e164`);--> statement-breakpoint
CREATE INDEX `user_phones_app_e164_idx` ON `user_phones` (`application_id`,`e164`);--> statement-breakpoint
CREATE TABLE `users` (
	`id` text PRIMARY KEY NOT NULL,
	`application_id` text NOT NULL,
	`username` text NOT NULL,
	`first_name` text DEFAULT '' NOT NULL,
	`last_name` text DEFAULT '' NOT NULL,
	`gender` text,
	`dob` text,
	`profile_pic_url` text DEFAULT '' NOT NULL,
	`account_type` text DEFAULT 'user' NOT NULL,
	`meta` text DEFAULT '{}' NOT NULL,
	`external_id` text,
	`rr_id` text,
	`consent` text,
	`password_hash` text,
	`password_changed_at` text,
	`blocked` integer DEFAULT false NOT NULL,
	`archived` integer DEFAULT false NOT NULL,
	`delete_on` text,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	FOREIGN KEY (`application_id`) REFERENCES `applications`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `users_app_created_idx` ON `users` (`application_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `users_app_external_idx` ON `users` (`application_id`,`external_id`);