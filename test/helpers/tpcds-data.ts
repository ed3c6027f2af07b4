/**
 * A small, seeded, TPC-DS-shaped data set for differential tests of the
 * TPC-DS queries (test/engine/plan/tpcds.test.ts). It is not dsdgen's data:
 * nothing may be downloaded, and the official generator is C. The tables have
 * TPC-DS's column names and types (the kit's tpcds.sql, version 2+), and the
 * values are drawn so that the qualification parameters of the queries select
 * rows at a few thousand fact rows: dates 1998-2002 with d_month_seq 1176-1235
 * as in TPC-DS (1200 is January 2000), the ten item categories, stores mostly
 * in TN at GMT-5, cities Fairview and Midway, the demographics the queries
 * filter on, the brands and classes of q53/q63/q89. Nullable columns are NULL
 * at a few percent, as in dsdgen's output; keys never are.
 *
 * Sales are generated per order (ticket): every line of an order shares its
 * date, customer, demographics, address and store, as in TPC-DS, so queries
 * that group by ticket see several lines. Returns are drawn from sales lines
 * (same item and ticket/order number), so the fact-to-return joins match.
 */
import { rng } from './random.js';

export type Plain = number | string | null;

export interface TpcdsColumn {
  readonly name: string;
  /** The SQL type as the TPC-DS DDL writes it. */
  readonly type: string;
}

export interface TpcdsTable {
  readonly name: string;
  readonly columns: readonly TpcdsColumn[];
  /** Rows in column order; decimals as numbers with at most two decimals, dates as YYYY-MM-DD. */
  readonly rows: readonly Plain[][];
}

// ---------------------------------------------------------------- schema

const I = 'integer';
const D = 'decimal(7,2)';
const c = (n: number): string => `char(${n})`;
const v = (n: number): string => `varchar(${n})`;

/** name → columns, in TPC-DS order. `!` after a name marks NOT NULL. */
const SCHEMA: Record<string, [string, string][]> = {
  date_dim: [
    ['d_date_sk!', I], ['d_date_id!', c(16)], ['d_date', 'date'], ['d_month_seq', I], ['d_week_seq', I], ['d_quarter_seq', I], ['d_year', I],
    ['d_dow', I], ['d_moy', I], ['d_dom', I], ['d_qoy', I], ['d_fy_year', I], ['d_fy_quarter_seq', I], ['d_fy_week_seq', I],
    ['d_day_name', c(9)], ['d_quarter_name', c(6)], ['d_holiday', c(1)], ['d_weekend', c(1)], ['d_following_holiday', c(1)],
    ['d_first_dom', I], ['d_last_dom', I], ['d_same_day_ly', I], ['d_same_day_lq', I], ['d_current_day', c(1)],
    ['d_current_week', c(1)], ['d_current_month', c(1)], ['d_current_quarter', c(1)], ['d_current_year', c(1)],
  ],
  time_dim: [
    ['t_time_sk!', I], ['t_time_id!', c(16)], ['t_time', I], ['t_hour', I], ['t_minute', I], ['t_second', I], ['t_am_pm', c(2)],
    ['t_shift', c(20)], ['t_sub_shift', c(20)], ['t_meal_time', c(20)],
  ],
  item: [
    ['i_item_sk!', I], ['i_item_id!', c(16)], ['i_rec_start_date', 'date'], ['i_rec_end_date', 'date'], ['i_item_desc', v(200)],
    ['i_current_price', D], ['i_wholesale_cost', D], ['i_brand_id', I], ['i_brand', c(50)], ['i_class_id', I], ['i_class', c(50)],
    ['i_category_id', I], ['i_category', c(50)], ['i_manufact_id', I], ['i_manufact', c(50)], ['i_size', c(20)],
    ['i_formulation', c(20)], ['i_color', c(20)], ['i_units', c(10)], ['i_container', c(10)], ['i_manager_id', I],
    ['i_product_name', c(50)],
  ],
  store: [
    ['s_store_sk!', I], ['s_store_id!', c(16)], ['s_rec_start_date', 'date'], ['s_rec_end_date', 'date'], ['s_closed_date_sk', I],
    ['s_store_name', v(50)], ['s_number_employees', I], ['s_floor_space', I], ['s_hours', c(20)], ['s_manager', v(40)],
    ['s_market_id', I], ['s_geography_class', v(100)], ['s_market_desc', v(100)], ['s_market_manager', v(40)], ['s_division_id', I],
    ['s_division_name', v(50)], ['s_company_id', I], ['s_company_name', v(50)], ['s_street_number', v(10)], ['s_street_name', v(60)],
    ['s_street_type', c(15)], ['s_suite_number', c(10)], ['s_city', v(60)], ['s_county', v(30)], ['s_state', c(2)], ['s_zip', c(10)],
    ['s_country', v(20)], ['s_gmt_offset', 'decimal(5,2)'], ['s_tax_precentage', 'decimal(5,2)'],
  ],
  call_center: [
    ['cc_call_center_sk!', I], ['cc_call_center_id!', c(16)], ['cc_rec_start_date', 'date'], ['cc_rec_end_date', 'date'],
    ['cc_closed_date_sk', I], ['cc_open_date_sk', I], ['cc_name', v(50)], ['cc_class', v(50)], ['cc_employees', I], ['cc_sq_ft', I],
    ['cc_hours', c(20)], ['cc_manager', v(40)], ['cc_mkt_id', I], ['cc_mkt_class', c(50)], ['cc_mkt_desc', v(100)],
    ['cc_market_manager', v(40)], ['cc_division', I], ['cc_division_name', v(50)], ['cc_company', I], ['cc_company_name', c(50)],
    ['cc_street_number', c(10)], ['cc_street_name', v(60)], ['cc_street_type', c(15)], ['cc_suite_number', c(10)], ['cc_city', v(60)],
    ['cc_county', v(30)], ['cc_state', c(2)], ['cc_zip', c(10)], ['cc_country', v(20)], ['cc_gmt_offset', 'decimal(5,2)'],
    ['cc_tax_percentage', 'decimal(5,2)'],
  ],
  warehouse: [
    ['w_warehouse_sk!', I], ['w_warehouse_id!', c(16)], ['w_warehouse_name', v(20)], ['w_warehouse_sq_ft', I], ['w_street_number', c(10)],
    ['w_street_name', v(60)], ['w_street_type', c(15)], ['w_suite_number', c(10)], ['w_city', v(60)], ['w_county', v(30)],
    ['w_state', c(2)], ['w_zip', c(10)], ['w_country', v(20)], ['w_gmt_offset', 'decimal(5,2)'],
  ],
  customer: [
    ['c_customer_sk!', I], ['c_customer_id!', c(16)], ['c_current_cdemo_sk', I], ['c_current_hdemo_sk', I], ['c_current_addr_sk', I],
    ['c_first_shipto_date_sk', I], ['c_first_sales_date_sk', I], ['c_salutation', c(10)], ['c_first_name', c(20)], ['c_last_name', c(30)],
    ['c_preferred_cust_flag', c(1)], ['c_birth_day', I], ['c_birth_month', I], ['c_birth_year', I], ['c_birth_country', v(20)],
    ['c_login', c(13)], ['c_email_address', c(50)], ['c_last_review_date_sk', I],
  ],
  customer_address: [
    ['ca_address_sk!', I], ['ca_address_id!', c(16)], ['ca_street_number', c(10)], ['ca_street_name', v(60)], ['ca_street_type', c(15)],
    ['ca_suite_number', c(10)], ['ca_city', v(60)], ['ca_county', v(30)], ['ca_state', c(2)], ['ca_zip', c(10)], ['ca_country', v(20)],
    ['ca_gmt_offset', 'decimal(5,2)'], ['ca_location_type', c(20)],
  ],
  customer_demographics: [
    ['cd_demo_sk!', I], ['cd_gender', c(1)], ['cd_marital_status', c(1)], ['cd_education_status', c(20)], ['cd_purchase_estimate', I],
    ['cd_credit_rating', c(10)], ['cd_dep_count', I], ['cd_dep_employed_count', I], ['cd_dep_college_count', I],
  ],
  household_demographics: [
    ['hd_demo_sk!', I], ['hd_income_band_sk', I], ['hd_buy_potential', c(15)], ['hd_dep_count', I], ['hd_vehicle_count', I],
  ],
  promotion: [
    ['p_promo_sk!', I], ['p_promo_id!', c(16)], ['p_start_date_sk', I], ['p_end_date_sk', I], ['p_item_sk', I], ['p_cost', 'decimal(15,2)'],
    ['p_response_target', I], ['p_promo_name', c(50)], ['p_channel_dmail', c(1)], ['p_channel_email', c(1)], ['p_channel_catalog', c(1)],
    ['p_channel_tv', c(1)], ['p_channel_radio', c(1)], ['p_channel_press', c(1)], ['p_channel_event', c(1)], ['p_channel_demo', c(1)],
    ['p_channel_details', v(100)], ['p_purpose', c(15)], ['p_discount_active', c(1)],
  ],
  catalog_page: [
    ['cp_catalog_page_sk!', I], ['cp_catalog_page_id!', c(16)], ['cp_start_date_sk', I], ['cp_end_date_sk', I], ['cp_department', v(50)],
    ['cp_catalog_number', I], ['cp_catalog_page_number', I], ['cp_description', v(100)], ['cp_type', v(100)],
  ],
  web_site: [
    ['web_site_sk!', I], ['web_site_id!', c(16)], ['web_rec_start_date', 'date'], ['web_rec_end_date', 'date'], ['web_name', v(50)],
    ['web_open_date_sk', I], ['web_close_date_sk', I], ['web_class', v(50)], ['web_manager', v(40)], ['web_mkt_id', I],
    ['web_mkt_class', v(50)], ['web_mkt_desc', v(100)], ['web_market_manager', v(40)], ['web_company_id', I], ['web_company_name', c(50)],
    ['web_street_number', c(10)], ['web_street_name', v(60)], ['web_street_type', c(15)], ['web_suite_number', c(10)], ['web_city', v(60)],
    ['web_county', v(30)], ['web_state', c(2)], ['web_zip', c(10)], ['web_country', v(20)], ['web_gmt_offset', 'decimal(5,2)'],
    ['web_tax_percentage', 'decimal(5,2)'],
  ],
  web_page: [
    ['wp_web_page_sk!', I], ['wp_web_page_id!', c(16)], ['wp_rec_start_date', 'date'], ['wp_rec_end_date', 'date'], ['wp_creation_date_sk', I],
    ['wp_access_date_sk', I], ['wp_autogen_flag', c(1)], ['wp_customer_sk', I], ['wp_url', v(100)], ['wp_type', c(50)], ['wp_char_count', I],
    ['wp_link_count', I], ['wp_image_count', I], ['wp_max_ad_count', I],
  ],
  ship_mode: [['sm_ship_mode_sk!', I], ['sm_ship_mode_id!', c(16)], ['sm_type', c(30)], ['sm_code', c(10)], ['sm_carrier', c(20)], ['sm_contract', c(20)]],
  income_band: [['ib_income_band_sk!', I], ['ib_lower_bound', I], ['ib_upper_bound', I]],
  reason: [['r_reason_sk!', I], ['r_reason_id!', c(16)], ['r_reason_desc', c(100)]],
  inventory: [['inv_date_sk!', I], ['inv_item_sk!', I], ['inv_warehouse_sk!', I], ['inv_quantity_on_hand', I]],
  store_sales: [
    ['ss_sold_date_sk', I], ['ss_sold_time_sk', I], ['ss_item_sk!', I], ['ss_customer_sk', I], ['ss_cdemo_sk', I], ['ss_hdemo_sk', I],
    ['ss_addr_sk', I], ['ss_store_sk', I], ['ss_promo_sk', I], ['ss_ticket_number!', I], ['ss_quantity', I], ['ss_wholesale_cost', D],
    ['ss_list_price', D], ['ss_sales_price', D], ['ss_ext_discount_amt', D], ['ss_ext_sales_price', D], ['ss_ext_wholesale_cost', D],
    ['ss_ext_list_price', D], ['ss_ext_tax', D], ['ss_coupon_amt', D], ['ss_net_paid', D], ['ss_net_paid_inc_tax', D], ['ss_net_profit', D],
  ],
  store_returns: [
    ['sr_returned_date_sk', I], ['sr_return_time_sk', I], ['sr_item_sk!', I], ['sr_customer_sk', I], ['sr_cdemo_sk', I], ['sr_hdemo_sk', I],
    ['sr_addr_sk', I], ['sr_store_sk', I], ['sr_reason_sk', I], ['sr_ticket_number!', I], ['sr_return_quantity', I], ['sr_return_amt', D],
    ['sr_return_tax', D], ['sr_return_amt_inc_tax', D], ['sr_fee', D], ['sr_return_ship_cost', D], ['sr_refunded_cash', D],
    ['sr_reversed_charge', D], ['sr_store_credit', D], ['sr_net_loss', D],
  ],
  catalog_sales: [
    ['cs_sold_date_sk', I], ['cs_sold_time_sk', I], ['cs_ship_date_sk', I], ['cs_bill_customer_sk', I], ['cs_bill_cdemo_sk', I],
    ['cs_bill_hdemo_sk', I], ['cs_bill_addr_sk', I], ['cs_ship_customer_sk', I], ['cs_ship_cdemo_sk', I], ['cs_ship_hdemo_sk', I],
    ['cs_ship_addr_sk', I], ['cs_call_center_sk', I], ['cs_catalog_page_sk', I], ['cs_ship_mode_sk', I], ['cs_warehouse_sk', I],
    ['cs_item_sk!', I], ['cs_promo_sk', I], ['cs_order_number!', I], ['cs_quantity', I], ['cs_wholesale_cost', D], ['cs_list_price', D],
    ['cs_sales_price', D], ['cs_ext_discount_amt', D], ['cs_ext_sales_price', D], ['cs_ext_wholesale_cost', D], ['cs_ext_list_price', D],
    ['cs_ext_tax', D], ['cs_coupon_amt', D], ['cs_ext_ship_cost', D], ['cs_net_paid', D], ['cs_net_paid_inc_tax', D],
    ['cs_net_paid_inc_ship', D], ['cs_net_paid_inc_ship_tax', D], ['cs_net_profit', D],
  ],
  catalog_returns: [
    ['cr_returned_date_sk', I], ['cr_returned_time_sk', I], ['cr_item_sk!', I], ['cr_refunded_customer_sk', I], ['cr_refunded_cdemo_sk', I],
    ['cr_refunded_hdemo_sk', I], ['cr_refunded_addr_sk', I], ['cr_returning_customer_sk', I], ['cr_returning_cdemo_sk', I],
    ['cr_returning_hdemo_sk', I], ['cr_returning_addr_sk', I], ['cr_call_center_sk', I], ['cr_catalog_page_sk', I], ['cr_ship_mode_sk', I],
    ['cr_warehouse_sk', I], ['cr_reason_sk', I], ['cr_order_number!', I], ['cr_return_quantity', I], ['cr_return_amount', D],
    ['cr_return_tax', D], ['cr_return_amt_inc_tax', D], ['cr_fee', D], ['cr_return_ship_cost', D], ['cr_refunded_cash', D],
    ['cr_reversed_charge', D], ['cr_store_credit', D], ['cr_net_loss', D],
  ],
  web_sales: [
    ['ws_sold_date_sk', I], ['ws_sold_time_sk', I], ['ws_ship_date_sk', I], ['ws_item_sk!', I], ['ws_bill_customer_sk', I],
    ['ws_bill_cdemo_sk', I], ['ws_bill_hdemo_sk', I], ['ws_bill_addr_sk', I], ['ws_ship_customer_sk', I], ['ws_ship_cdemo_sk', I],
    ['ws_ship_hdemo_sk', I], ['ws_ship_addr_sk', I], ['ws_web_page_sk', I], ['ws_web_site_sk', I], ['ws_ship_mode_sk', I],
    ['ws_warehouse_sk', I], ['ws_promo_sk', I], ['ws_order_number!', I], ['ws_quantity', I], ['ws_wholesale_cost', D], ['ws_list_price', D],
    ['ws_sales_price', D], ['ws_ext_discount_amt', D], ['ws_ext_sales_price', D], ['ws_ext_wholesale_cost', D], ['ws_ext_list_price', D],
    ['ws_ext_tax', D], ['ws_coupon_amt', D], ['ws_ext_ship_cost', D], ['ws_net_paid', D], ['ws_net_paid_inc_tax', D],
    ['ws_net_paid_inc_ship', D], ['ws_net_paid_inc_ship_tax', D], ['ws_net_profit', D],
  ],
  web_returns: [
    ['wr_returned_date_sk', I], ['wr_returned_time_sk', I], ['wr_item_sk!', I], ['wr_refunded_customer_sk', I], ['wr_refunded_cdemo_sk', I],
    ['wr_refunded_hdemo_sk', I], ['wr_refunded_addr_sk', I], ['wr_returning_customer_sk', I], ['wr_returning_cdemo_sk', I],
    ['wr_returning_hdemo_sk', I], ['wr_returning_addr_sk', I], ['wr_web_page_sk', I], ['wr_reason_sk', I], ['wr_order_number!', I],
    ['wr_return_quantity', I], ['wr_return_amt', D], ['wr_return_tax', D], ['wr_return_amt_inc_tax', D], ['wr_fee', D],
    ['wr_return_ship_cost', D], ['wr_refunded_cash', D], ['wr_reversed_charge', D], ['wr_account_credit', D], ['wr_net_loss', D],
  ],
};

/** The CREATE TABLE statement of a table, as the TPC-DS kit writes it (both engines accept it). */
export function tpcdsDdl(table: TpcdsTable): string {
  const cols = table.columns.map((col) => `  ${col.name} ${col.type}${SCHEMA[table.name]!.some(([n]) => n === `${col.name}!`) ? ' not null' : ''}`);
  return `create table ${table.name} (\n${cols.join(',\n')}\n)`;
}

// ---------------------------------------------------------------- value pools

const CATEGORIES = ['Books', 'Music', 'Home', 'Sports', 'Shoes', 'Jewelry', 'Men', 'Women', 'Children', 'Electronics'];
// the classes and brands q53, q54, q63 and q89 filter on, and a few others
const CLASSES = ['maternity', 'personal', 'portable', 'reference', 'self-help', 'accessories', 'classical', 'fragrances', 'pants', 'computers', 'stereo', 'football', 'shirts', 'birdal', 'dresses'];
const BRANDS = ['scholaramalgamalg #14', 'scholaramalgamalg #7', 'exportiunivamalg #9', 'scholaramalgamalg #9', 'amalgimporto #1', 'edu packscholar #1', 'exportiimporto #1', 'importoamalg #1', 'univunivamalg #2', 'corpbrand #4'];
const MANUFACTS = ['ought', 'able', 'pri', 'ese', 'anti', 'cally', 'ation', 'eing', 'bar', 'n st'];
const MANUFACT_IDS = [128, 128, 977, 350, 677, 940, 694, 808, 129, 270, 821, 423];
const SHIP_TYPES = ['EXPRESS', 'REGULAR', 'OVERNIGHT', 'TWO DAY', 'LIBRARY', 'NEXT DAY'];
const STORE_NAMES = ['ought', 'able', 'ese', 'anti', 'cally', 'bar', 'eing', 'pri', 'ese', 'ation', 'able', 'ought'];
// stores take the first four, call centers the first and the fifth; q10 names the last five
const COUNTIES = ['Williamson County', 'Franklin Parish', 'Bronx County', 'Orange County', 'Ziebach County', 'Walker County', 'Rush County', 'Toole County', 'Jefferson County', 'Dona Ana County', 'La Porte County'];
const CITIES = ['Fairview', 'Midway', 'Oak Grove', 'Five Points', 'Pleasant Hill', 'Centerville', 'Riverside', 'Glendale', 'Union', 'Greenville', 'Edgewood'];
const STATES = ['TN', 'TN', 'TN', 'TN', 'TN', 'GA', 'CA', 'WA', 'CO', 'OH', 'TX', 'OR', 'MN', 'KY', 'VA', 'MS', 'IL'];
const ZIPS = ['85669', '86197', '88274', '83405', '86475', '85392', '85460', '80348', '81792', '35709', '31904', '37057', '24128'];
const EDUCATION = ['Primary', 'Secondary', 'College', '2 yr Degree', '4 yr Degree', 'Advanced Degree', 'Unknown'];
const MARITAL = ['M', 'S', 'D', 'W', 'U'];
const BUY_POTENTIAL = ['>10000', 'Unknown', '5001-10000', '1001-5000', '501-1000', '0-500'];
const DAY_NAMES = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const FIRST = ['James', 'Mary', 'John', 'Linda', 'Robert', 'Susan', 'David', 'Karen', 'Paul', 'Lisa', 'Mark', 'Nancy'];
const LAST = ['Smith', 'Johnson', 'Brown', 'Jones', 'Miller', 'Davis', 'Garcia', 'Wilson', 'Moore', 'Taylor', 'Clark', 'Lewis', 'Young'];
const SALUTATIONS = ['Mr.', 'Mrs.', 'Ms.', 'Dr.', 'Sir', 'Miss'];
const CC_NAMES = ['NY Metro', 'Mid Atlantic', 'North Midwest', 'California'];

// ---------------------------------------------------------------- sizes

const DAY_MS = 86_400_000;
const FIRST_DAY = Date.UTC(1998, 0, 1) / DAY_MS;
const DAYS = Date.UTC(2003, 0, 1) / DAY_MS - FIRST_DAY;
/** dsdgen's d_date_sk is the Julian day number: 2450815 is 1998-01-01. */
const FIRST_DATE_SK = 2_450_815;
const ITEMS = 300;
const STORES = 12;
const CUSTOMERS = 600;
const ADDRESSES = 500;
const HDEMOS = 120;
const PROMOS = 30;
const CALL_CENTERS = 4;
const CATALOG_PAGES = 100;
const WEB_SITES = 30;
const WEB_PAGES = 60;
const SHIP_MODES = 20;
const REASONS = 35;
const WAREHOUSES = 3;

// ---------------------------------------------------------------- generation

/** Builds every table; the same seed gives the same data. */
export function tpcdsTables(seed = 20_261_207): TpcdsTable[] {
  const r = rng(seed);
  const int = (lo: number, hi: number): number => lo + Math.floor(r() * (hi - lo + 1));
  const pick = <T,>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const cents = (lo: number, hi: number): number => int(Math.round(lo * 100), Math.round(hi * 100)) / 100;
  /** A nullable value: NULL at 3%, as dsdgen leaves most non-key columns. */
  const n = <T,>(x: T, p = 0.03): T | null => (r() < p ? null : x);
  const id = (k: number): string => `AAAAAAAA${k.toString(16).toUpperCase().padStart(8, 'A')}`;
  const round2 = (x: number): number => Math.round(x * 100) / 100;

  const tables: Record<string, Plain[][]> = {};

  // date_dim: every day of 1998-2002
  const dateOfDay = (d: number): Date => new Date((FIRST_DAY + d) * DAY_MS);
  tables.date_dim = Array.from({ length: DAYS }, (_, d) => {
    const t = dateOfDay(d);
    const y = t.getUTCFullYear();
    const m = t.getUTCMonth() + 1;
    const dom = t.getUTCDate();
    const dow = t.getUTCDay();
    const qoy = Math.floor((m - 1) / 3) + 1;
    const monthSeq = (y - 1900) * 12 + m - 1;
    const weekSeq = Math.floor((FIRST_DAY + d + 4) / 7) - 1300;
    const quarterSeq = (y - 1900) * 4 + qoy - 1;
    const sk = FIRST_DATE_SK + d;
    return [
      sk, id(sk), t.toISOString().slice(0, 10), monthSeq, weekSeq, quarterSeq, y, dow, m, dom, qoy, y, quarterSeq, weekSeq,
      DAY_NAMES[dow]!, `${y}Q${qoy}`, n(r() < 0.03 ? 'Y' : 'N'), dow === 0 || dow === 6 ? 'Y' : 'N', 'N',
      sk - dom + 1, sk - dom + 28, sk - 365, sk - 91, 'N', 'N', 'N', 'N', 'N',
    ];
  });

  // time_dim: one row a minute (t_time_sk is the second of the day, as in dsdgen)
  tables.time_dim = Array.from({ length: 1440 }, (_, k) => {
    const h = Math.floor(k / 60);
    const m = k % 60;
    const sk = k * 60;
    return [sk, id(sk + 1), sk, h, m, 0, h < 12 ? 'AM' : 'PM', h < 8 ? 'third' : h < 16 ? 'first' : 'second', n('morning'), h >= 11 && h < 14 ? 'lunch' : h >= 17 && h < 21 ? 'dinner' : null];
  });

  tables.item = Array.from({ length: ITEMS }, (_, k) => {
    const sk = k + 1;
    const cat = CATEGORIES.indexOf(pick(CATEGORIES));
    const cls = CLASSES.indexOf(pick(CLASSES));
    const brand = BRANDS.indexOf(pick(BRANDS));
    // half the items have a manufacturer some query names (q3, q32, q37, q82, q92)
    const manufactId = r() < 0.5 ? pick(MANUFACT_IDS) : int(1, 40);
    // q21 and q40 want items priced 0.99 to 1.49
    const price = r() < 0.1 ? cents(0.5, 2) : cents(0.5, 99);
    return [
      sk, id(Math.ceil(sk / 2)), '1997-10-27', n(null, 1), `item ${sk} ${pick(['small', 'large', 'bright', 'plain'])} ${pick(CLASSES)}`,
      n(price), n(round2(price * 0.6)), n(brand + 1001001), n(BRANDS[brand]!), n(cls + 1), n(CLASSES[cls]!), n(cat + 1), n(CATEGORIES[cat]!),
      n(manufactId), n(MANUFACTS[manufactId % MANUFACTS.length]! + 'ought'), n(pick(['small', 'medium', 'large', 'extra large', 'petite'])),
      n(`${int(100, 999)}formula`), n(pick(['red', 'blue', 'green', 'white', 'black', 'pink'])), n(pick(['Each', 'Dozen', 'Case', 'Pound'])),
      'Unknown', n(r() < 0.5 ? pick([1, 8, 28]) : int(1, 40)), n(`${pick(MANUFACTS)}${pick(MANUFACTS)}${pick(MANUFACTS)}`),
    ];
  });

  tables.store = Array.from({ length: STORES }, (_, k) => {
    const sk = k + 1;
    return [
      sk, id(sk), '1997-03-13', null, null, STORE_NAMES[k]!, n(int(200, 300)), n(int(5_000_000, 10_000_000)), n('8AM-4PM'), n(pick(LAST)),
      n(int(1, 10)), 'Unknown', n('a market'), n(pick(FIRST)), 1, 'Unknown', 1, 'Unknown', n(String(int(1, 999))), n('Main'), n('Street'),
      n(`Suite ${int(1, 400)}`), k < 10 ? (k % 2 === 0 ? 'Fairview' : 'Midway') : pick(CITIES), n(COUNTIES[k % 4]!), k < 9 ? 'TN' : n(pick(['GA', 'AL', 'SD'])),
      n(pick(ZIPS)), 'United States', k < 10 ? -5 : -6, n(cents(0, 0.11)),
    ];
  });

  tables.call_center = Array.from({ length: CALL_CENTERS }, (_, k) => {
    const sk = k + 1;
    return [
      sk, id(sk), '1998-01-01', null, null, 2450952, CC_NAMES[k]!, n('large'), n(int(100, 600)), n(int(1000, 90000)), n('8AM-4PM'), n(pick(LAST)),
      n(int(1, 6)), n('More than other authori'), n('Shared others could not count fully dollars. New members ca'), n(pick(FIRST)), n(int(1, 6)),
      n('pri'), n(int(1, 6)), n('ought'), n(String(int(1, 999))), n('Oak'), n('Ave'), n('Suite 0'), n(pick(CITIES)), COUNTIES[k % 2 === 0 ? 0 : 4]!, n('TN'),
      n(pick(ZIPS)), 'United States', -5, n(cents(0, 0.12)),
    ];
  });

  tables.warehouse = Array.from({ length: WAREHOUSES }, (_, k) => {
    const sk = k + 1;
    return [sk, id(sk), n(`Warehouse ${sk}`), n(int(100_000, 900_000)), n(String(int(1, 999))), n('Elm'), n('Blvd'), n('Suite 10'), n(pick(CITIES)), n(pick(COUNTIES)), 'TN', n(pick(ZIPS)), 'United States', -5];
  });

  tables.catalog_page = Array.from({ length: CATALOG_PAGES }, (_, k) => [
    k + 1, id(k + 1), n(FIRST_DATE_SK + int(0, DAYS)), n(FIRST_DATE_SK + int(0, DAYS)), n('DEPARTMENT'), n(Math.floor(k / 10) + 1), n((k % 10) + 1),
    n(`page ${k + 1}`), n(pick(['bi-annual', 'quarterly', 'monthly'])),
  ]);

  tables.web_site = Array.from({ length: WEB_SITES }, (_, k) => [
    k + 1, id(k + 1), '1997-08-16', null, `site_${k % 5}`, n(2450807), null, n('Unknown'), n(pick(LAST)), n(int(1, 6)), n('ought'),
    n('Well similar decisions used to keep hardly democratic, personal priorities.'), n(pick(FIRST)), n(int(1, 6)), n('pri'), n(String(int(1, 999))),
    n('Maple'), n('Lane'), n('Suite 30'), n(pick(CITIES)), n(pick(COUNTIES)), 'TN', n(pick(ZIPS)), 'United States', -5, n(cents(0, 0.12)),
  ]);

  // a third of the pages have the character count q90 looks for
  tables.web_page = Array.from({ length: WEB_PAGES }, (_, k) => [
    k + 1, id(k + 1), '1997-09-03', null, n(FIRST_DATE_SK + int(0, DAYS)), n(FIRST_DATE_SK + int(0, DAYS)), n(r() < 0.5 ? 'Y' : 'N'), n(int(1, CUSTOMERS)),
    n('http://www.foo.com'), n(pick(['welcome', 'protected', 'feedback', 'general', 'ad', 'order'])), n(k % 3 === 0 ? int(5000, 5200) : int(1000, 8000)),
    n(int(2, 25)), n(int(1, 7)), n(int(0, 4)),
  ]);

  tables.ship_mode = Array.from({ length: SHIP_MODES }, (_, k) => [k + 1, id(k + 1), n(SHIP_TYPES[k % 6]!), n(pick(['AIR', 'SURFACE', 'SEA'])), n(pick(['UPS', 'FEDEX', 'DHL', 'USPS'])), n(`contract ${k}`)]);

  // dsdgen's twenty bands of 10,000: 0-10000, 10001-20000, ...
  tables.income_band = Array.from({ length: 20 }, (_, k) => [k + 1, k === 0 ? 0 : k * 10_000 + 1, (k + 1) * 10_000]);

  tables.reason = Array.from({ length: REASONS }, (_, k) => [k + 1, id(k + 1), n(`reason ${k + 1}`)]);

  tables.customer_address = Array.from({ length: ADDRESSES }, (_, k) => {
    const sk = k + 1;
    const zip = pick(ZIPS);
    return [
      sk, id(sk), n(String(int(1, 999))), n(pick(['Main', 'Oak', 'Park', 'Hill', '1st'])), n(pick(['Street', 'Ave', 'Ct.', 'Lane'])),
      n(`Suite ${int(1, 400)}`), n(pick(CITIES)), n(pick(COUNTIES)), n(pick(STATES)), n(zip), r() < 0.9 ? 'United States' : n(null, 1),
      n(pick([-5, -6, -7, -8])), n(pick(['apartment', 'condo', 'single family'])),
    ];
  });

  // every combination of gender, marital status and education, twice (two credit ratings)
  tables.customer_demographics = [];
  for (let k = 0; k < 2 * 5 * 7 * 2; k++) {
    tables.customer_demographics.push([
      k + 1, k % 2 === 0 ? 'M' : 'F', MARITAL[Math.floor(k / 2) % 5]!, EDUCATION[Math.floor(k / 10) % 7]!, 500 * (1 + (k % 20)),
      k < 70 ? 'Good' : 'Low Risk', k % 7, k % 5, k % 3,
    ]);
  }
  const CDEMOS = tables.customer_demographics.length;

  // every buy potential with every dependent count 0-9 (q73 wants more dependents than vehicles), vehicles -1 to 3
  tables.household_demographics = Array.from({ length: HDEMOS }, (_, k) => [k + 1, (k % 20) + 1, BUY_POTENTIAL[k % 6]!, Math.floor(k / 6) % 10, (k % 5) - 1]);

  tables.promotion = Array.from({ length: PROMOS }, (_, k) => {
    const sk = k + 1;
    const yn = (): string | null => n(r() < 0.5 ? 'Y' : 'N');
    return [sk, id(sk), n(FIRST_DATE_SK + int(0, DAYS)), n(FIRST_DATE_SK + int(0, DAYS)), n(int(1, ITEMS)), n(1000), n(1), n(pick(MANUFACTS)), yn(), yn(), yn(), yn(), yn(), yn(), yn(), yn(), n('Men will not say'), n('Unknown'), yn()];
  });

  tables.customer = Array.from({ length: CUSTOMERS }, (_, k) => {
    const sk = k + 1;
    return [
      sk, id(sk), n(int(1, CDEMOS)), n(int(1, HDEMOS)), n(int(1, ADDRESSES)), n(FIRST_DATE_SK + int(0, DAYS)), n(FIRST_DATE_SK + int(0, DAYS)),
      n(pick(SALUTATIONS)), n(pick(FIRST)), n(pick(LAST)), n(r() < 0.5 ? 'Y' : 'N'), n(int(1, 28)), n(int(1, 12)), n(int(1924, 1992)), n('UNITED STATES'),
      null, n(`c${sk}@example.com`), n(FIRST_DATE_SK + int(0, DAYS)),
    ];
  });

  // a sale date: uniform over the five years, with November and December twice as likely (as in TPC-DS)
  const saleDay = (): number => {
    for (;;) {
      const d = int(0, DAYS - 1);
      const m = dateOfDay(d).getUTCMonth();
      if (m >= 10 || r() < 0.5) return d;
    }
  };
  /** The price columns of a sales line, in TPC-DS's order from wholesale cost to net profit, and the quantity. */
  const pricing = (): { qty: number; wholesale: number; list: number; sales: number; discount: number; ext: number; extWholesale: number; extList: number; tax: number; coupon: number; paid: number; paidTax: number; profit: number } => {
    const qty = int(1, 100);
    const wholesale = cents(1, 100);
    const list = round2(wholesale * (1 + r() * 2));
    const sales = round2(list * (0.2 + r() * 0.8));
    const ext = round2(sales * qty);
    const extList = round2(list * qty);
    const extWholesale = round2(wholesale * qty);
    const tax = round2(ext * 0.08);
    const coupon = r() < 0.2 ? round2(ext * r() * 0.5) : 0;
    const paid = round2(ext - coupon);
    return { qty, wholesale, list, sales, discount: round2(extList - ext), ext, extWholesale, extList, tax, coupon, paid, paidTax: round2(paid + tax), profit: round2(paid - extWholesale) };
  };

  /** A line is returned at 10%, an expensive one (q49 looks for returns over 10,000) at 60%; half of the returns take back every unit. */
  const returnChance = (ext: number): number => (ext > 10_000 ? 0.6 : 0.1);

  // store_sales and store_returns
  tables.store_sales = [];
  tables.store_returns = [];
  for (let ticket = 1; tables.store_sales.length < 8000; ticket++) {
    const day = saleDay();
    const date = n(FIRST_DATE_SK + day, 0.02);
    const time = n(int(8 * 60, 22 * 60 - 1) * 60, 0.02);
    const customer = n(int(1, CUSTOMERS));
    const cdemo = n(int(1, CDEMOS));
    const hdemo = n(int(1, HDEMOS));
    const addr = n(int(1, ADDRESSES), 0.05);
    const store = n(int(1, STORES), 0.02);
    const lines = int(1, 8);
    for (let l = 0; l < lines; l++) {
      const item = int(1, ITEMS);
      const p = pricing();
      tables.store_sales.push([
        date, time, item, customer, cdemo, hdemo, addr, store, n(int(1, PROMOS)), ticket, n(p.qty), n(p.wholesale), n(p.list), n(p.sales), n(p.discount), n(p.ext),
        n(p.extWholesale), n(p.extList), n(p.tax), n(p.coupon), n(p.paid), n(p.paidTax), n(p.profit),
      ]);
      if (r() < returnChance(p.ext)) {
        const q = r() < 0.5 ? p.qty : int(1, p.qty);
        const amt = round2(p.sales * q);
        tables.store_returns.push([
          n(FIRST_DATE_SK + Math.min(DAYS - 1, day + int(1, 60))), n(int(0, 1439) * 60), item, customer, cdemo, hdemo, addr, store, n(int(1, REASONS)), ticket,
          n(q), n(amt), n(round2(amt * 0.08)), n(round2(amt * 1.08)), n(cents(0.5, 100)), n(cents(0, 50)), n(round2(amt * r())), n(round2(amt * 0.1)), n(round2(amt * 0.1)), n(cents(1, 2000)),
        ]);
      }
    }
  }

  // catalog and web sales share a shape: an order of one to eight lines, billed and shipped
  const channel = (sales: Plain[][], returns: Plain[][], target: number, web: boolean): void => {
    for (let order = 1; sales.length < target; order++) {
      const day = saleDay();
      const date = n(FIRST_DATE_SK + day, 0.02);
      const customer = n(int(1, CUSTOMERS));
      const cdemo = n(int(1, CDEMOS));
      const hdemo = n(int(1, HDEMOS));
      const addr = n(int(1, ADDRESSES));
      const lines = int(1, 8);
      for (let l = 0; l < lines; l++) {
        const item = int(1, ITEMS);
        const p = pricing();
        const ship = round2(p.extList * 0.05);
        const tail = [
          n(p.qty), n(p.wholesale), n(p.list), n(p.sales), n(p.discount), n(p.ext), n(p.extWholesale), n(p.extList), n(p.tax), n(p.coupon), n(ship), n(p.paid),
          n(p.paidTax), n(round2(p.paid + ship)), n(round2(p.paidTax + ship)), n(p.profit),
        ];
        const shipDate = n(FIRST_DATE_SK + Math.min(DAYS - 1, day + int(2, 90)));
        const time = n(int(0, 1439) * 60);
        const promo = n(int(1, PROMOS));
        const warehouse = n(int(1, WAREHOUSES));
        if (web) {
          sales.push([date, time, shipDate, item, customer, cdemo, hdemo, addr, customer, cdemo, hdemo, addr, n(int(1, WEB_PAGES)), n(int(1, WEB_SITES)), n(int(1, SHIP_MODES)), warehouse, promo, order, ...tail]);
        } else {
          sales.push([date, time, shipDate, customer, cdemo, hdemo, addr, customer, cdemo, hdemo, addr, n(int(1, CALL_CENTERS)), n(int(1, CATALOG_PAGES)), n(int(1, SHIP_MODES)), warehouse, item, promo, order, ...tail]);
        }
        if (r() < returnChance(p.ext)) {
          const q = r() < 0.5 ? p.qty : int(1, p.qty);
          const amt = round2(p.sales * q);
          const rdate = n(FIRST_DATE_SK + Math.min(DAYS - 1, day + int(1, 60)));
          const money = [n(q), n(amt), n(round2(amt * 0.08)), n(round2(amt * 1.08)), n(cents(0.5, 100)), n(cents(0, 50)), n(round2(amt * r())), n(round2(amt * 0.1)), n(round2(amt * 0.1)), n(cents(1, 2000))];
          if (web) returns.push([rdate, n(int(0, 1439) * 60), item, customer, cdemo, hdemo, addr, customer, cdemo, hdemo, addr, n(int(1, WEB_PAGES)), n(int(1, REASONS)), order, ...money]);
          else returns.push([rdate, n(int(0, 1439) * 60), item, customer, cdemo, hdemo, addr, customer, cdemo, hdemo, addr, n(int(1, CALL_CENTERS)), n(int(1, CATALOG_PAGES)), n(int(1, SHIP_MODES)), warehouse, n(int(1, REASONS)), order, ...money]);
        }
      }
    }
  };
  tables.catalog_sales = [];
  tables.catalog_returns = [];
  channel(tables.catalog_sales, tables.catalog_returns, 4000, false);
  tables.web_sales = [];
  tables.web_returns = [];
  channel(tables.web_sales, tables.web_returns, 4000, true);

  // inventory: weekly snapshots (Thursdays), 1999-2001, of a fifth of the items in each warehouse (each item in
  // one warehouse), most weeks; quantities skewed toward zero, so that some vary more than their mean (q39)
  tables.inventory = [];
  for (let d = 0; d < DAYS; d++) {
    const t = dateOfDay(d);
    if (t.getUTCDay() !== 4 || t.getUTCFullYear() < 1999 || t.getUTCFullYear() > 2001) continue;
    for (let w = 1; w <= WAREHOUSES; w++) {
      for (let item = w; item <= ITEMS; item += 5) {
        if (r() < 0.7) tables.inventory.push([FIRST_DATE_SK + d, item, w, n(Math.floor(1000 * r() ** 3), 0.05)]);
      }
    }
  }

  // a third of the customers who return an item to a store buy it again from the catalog within three months,
  // so that store sales, their returns and later catalog sales of one customer and item meet (q17, q25, q29)
  let nextOrder = Math.max(...tables.catalog_sales.map((row) => Number(row[17]))) + 1;
  for (const ret of tables.store_returns) {
    const [rdate, , item, customer, cdemo, hdemo, addr] = ret;
    if (rdate === null || customer === null || r() >= 1 / 3) continue;
    const day = Math.min(DAYS - 1, Number(rdate) - FIRST_DATE_SK + int(1, 90));
    const p = pricing();
    const ship = round2(p.extList * 0.05);
    tables.catalog_sales.push([
      FIRST_DATE_SK + day, n(int(0, 1439) * 60), n(FIRST_DATE_SK + Math.min(DAYS - 1, day + int(2, 90))), customer, cdemo, hdemo, addr, customer, cdemo, hdemo, addr,
      n(int(1, CALL_CENTERS)), n(int(1, CATALOG_PAGES)), n(int(1, SHIP_MODES)), n(int(1, WAREHOUSES)), item, n(int(1, PROMOS)), nextOrder++,
      n(p.qty), n(p.wholesale), n(p.list), n(p.sales), n(p.discount), n(p.ext), n(p.extWholesale), n(p.extList), n(p.tax), n(p.coupon), n(ship), n(p.paid),
      n(p.paidTax), n(round2(p.paid + ship)), n(round2(p.paidTax + ship)), n(p.profit),
    ]);
  }

  return Object.entries(SCHEMA).map(([name, cols]) => {
    const rows = tables[name]!;
    for (const row of rows) if (row.length !== cols.length) throw new Error(`tpcds ${name}: a row has ${row.length} values for ${cols.length} columns`);
    return { name, columns: cols.map(([col, type]) => ({ name: col.replace(/!$/, ''), type })), rows };
  });
}
