/** Where the two APIs live: every route, link and file URL is built from these. */
export const STOREFRONT_BASE = "/service/application/user";
export const PLATFORM_BASE = "/service/platform/user/v1.0/company/{company_id}/application/{application_id}";
