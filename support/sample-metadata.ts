/**
 * The sample metadata set (examples/metadata/): its items, their paths and
 * record files, and the generated section of its README, built
 * deterministically (items in a fixed order, no clock, no randomness, each
 * file serialised by prettier with the repository's settings). Shared by
 * scripts/generate-sample-metadata.ts, which writes or checks the files, and
 * tests/sample-metadata.test.ts.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { fileURLToPath } from 'node:url';
import { format, resolveConfig } from 'prettier';
import {
  METADATA_FILE_LAYOUT,
  MetadataRecordSchema,
  type JsonObject,
  type JsonValue,
  type MetadataScope,
  type MetadataState,
} from '@metasource/spec';

/** examples/metadata/: the README and the tree. */
export const SAMPLE_DIR = join(dirname(fileURLToPath(import.meta.url)), '../examples/metadata');
/** The file loader's rootDir for the set: every file below it is one item. */
export const SAMPLE_ROOT = join(SAMPLE_DIR, 'tenants');
/** The README, whose section between the markers below is generated. */
export const SAMPLE_README = join(SAMPLE_DIR, 'README.md');
export const GENERATED_START = '<!-- generated:start (scripts/generate-sample-metadata.ts) -->';
export const GENERATED_END = '<!-- generated:end -->';

/** One item of the set: its key, its envelope and its payload. */
export interface SampleItem {
  tenantId: string;
  scope: MetadataScope;
  owner?: string;
  type: string;
  namespace: string;
  name: string;
  state?: 'draft' | 'deprecated' | 'archived';
  tags?: string[];
  extends?: string;
  mergeStrategy?: 'merge' | 'replace';
  payload: JsonObject;
}

type Item = Omit<SampleItem, 'tenantId' | 'scope' | 'owner'>;

// ---------------------------------------------------------------------------
// Payload builders: fields, options, views, layouts, permissions
// ---------------------------------------------------------------------------

/** `closed_won` -> `Closed Won`. */
const title = (value: string) =>
  value
    .split('_')
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join(' ');

/** Picklist options: a value alone takes its title-cased label; a pair gives the label. */
const opts = (...values: (string | [string, string])[]): JsonObject[] =>
  values.map((v) => (typeof v === 'string' ? { value: v, label: title(v) } : { value: v[0], label: v[1] }));

const field = (type: string, label: string, extra: JsonObject = {}): JsonObject => ({ type, label, ...extra });
const text = (label: string, maxLength = 255, extra: JsonObject = {}) => field('text', label, { maxLength, ...extra });
const longText = (label: string, maxLength = 32000, extra: JsonObject = {}) => field('long_text', label, { maxLength, ...extra });
const richText = (label: string, extra: JsonObject = {}) => field('rich_text', label, { maxLength: 131072, ...extra });
const email = (label: string, extra: JsonObject = {}) => field('email', label, extra);
const phone = (label: string, extra: JsonObject = {}) => field('phone', label, extra);
const url = (label: string, extra: JsonObject = {}) => field('url', label, extra);
const date = (label: string, extra: JsonObject = {}) => field('date', label, extra);
const datetime = (label: string, extra: JsonObject = {}) => field('datetime', label, extra);
const checkbox = (label: string, defaultValue = false, extra: JsonObject = {}) => field('checkbox', label, { defaultValue, ...extra });
const number = (label: string, precision: number, scale: number, extra: JsonObject = {}) =>
  field('number', label, { precision, scale, ...extra });
const currency = (label: string, extra: JsonObject = {}) => field('currency', label, { precision: 18, scale: 2, ...extra });
const percent = (label: string, extra: JsonObject = {}) => field('percent', label, { precision: 5, scale: 2, ...extra });
const address = (label: string) => field('address', label, { components: ['street', 'city', 'postal_code', 'state', 'country'] });
const picklist = (label: string, options: JsonObject[], extra: JsonObject = {}) => field('picklist', label, { options, ...extra });
const valueSetPicklist = (label: string, valueSet: string, extra: JsonObject = {}) => field('picklist', label, { valueSet, ...extra });
const multiPicklist = (label: string, options: JsonObject[], extra: JsonObject = {}) =>
  field('multi_picklist', label, { options, ...extra });
const lookup = (label: string, referenceTo: string, extra: JsonObject = {}) =>
  field('lookup', label, { referenceTo, onDelete: 'set_null', ...extra });
const masterDetail = (label: string, referenceTo: string) =>
  field('master_detail', label, { referenceTo, onDelete: 'cascade', required: true });
const autoNumber = (label: string, displayFormat: string, startingNumber = 1) =>
  field('auto_number', label, { displayFormat, startingNumber, readOnly: true });
const formula = (label: string, returnType: string, expression: string, extra: JsonObject = {}) =>
  field('formula', label, { returnType, expression, readOnly: true, ...extra });
const owner = () => lookup('Owner', 'core.user', { required: true, onDelete: 'restrict' });

/** Object permissions from letters: r read, c create, e edit, d delete, v view all, m modify all. */
function crud(letters: string): JsonObject {
  return {
    read: letters.includes('r'),
    create: letters.includes('c'),
    edit: letters.includes('e'),
    delete: letters.includes('d'),
    viewAll: letters.includes('v'),
    modifyAll: letters.includes('m'),
  };
}

/** A list-view filter: field, operator and, except for the null tests, a value. */
type Filter = [string, string, JsonValue?];
const filters = (list: Filter[]): JsonObject[] =>
  list.map(([field, operator, value]): JsonObject => (value === undefined ? { field, operator } : { field, operator, value }));

/** Sort keys: `name` ascending, `-amount` descending. */
const sort = (...keys: string[]): JsonObject[] =>
  keys.map((key) => (key.startsWith('-') ? { field: key.slice(1), direction: 'desc' } : { field: key, direction: 'asc' }));

interface ViewSpec {
  columns: string[];
  filters?: Filter[];
  filterLogic?: string;
  sort: string[];
  pageSize?: number;
  visibility?: JsonValue;
  description?: string;
}

/** A list view of an object: columns, filters (ANDed unless filterLogic says otherwise), sort and page size. */
function listView(object: string, label: string, spec: ViewSpec): JsonObject {
  return {
    object,
    label,
    kind: 'list',
    ...(spec.description !== undefined ? { description: spec.description } : {}),
    columns: spec.columns,
    filters: filters(spec.filters ?? []),
    ...(spec.filterLogic !== undefined ? { filterLogic: spec.filterLogic } : {}),
    sort: sort(...spec.sort),
    pageSize: spec.pageSize ?? 50,
    visibility: spec.visibility ?? 'everyone',
  };
}

/** A record page layout: highlighted fields, sections of fields in one or two columns, related lists. */
function layout(
  object: string,
  label: string,
  highlights: string[],
  sections: [string, 1 | 2, string[]][],
  relatedLists: JsonObject[] = [],
): JsonObject {
  return {
    object,
    label,
    highlights,
    sections: sections.map(([sectionLabel, columns, fields]) => ({ label: sectionLabel, columns, fields })),
    relatedLists,
  };
}

const related = (object: string, field: string, columns: string[], ...sortKeys: string[]): JsonObject => ({
  object,
  field,
  columns,
  sort: sort(...sortKeys),
  pageSize: 5,
});

/** An object definition: labels, name field, sharing, features, fields and any further settings. */
function object(label: string, pluralLabel: string, icon: string, fields: Record<string, JsonObject>, extra: JsonObject = {}): JsonObject {
  return {
    label,
    pluralLabel,
    icon,
    nameField: 'name' in fields ? 'name' : Object.keys(fields)[0]!,
    sharingModel: 'private',
    features: { history: true, search: true, activities: false },
    ...extra,
    fields,
  };
}

// ---------------------------------------------------------------------------
// System scope: the platform's built-ins, shipped to every tenant alike
// ---------------------------------------------------------------------------

const CASE_STATUS = opts('new', 'in_progress', 'waiting_on_customer', 'escalated', 'resolved', 'closed');
const OPPORTUNITY_STAGES: JsonObject[] = [
  { value: 'prospecting', label: 'Prospecting', probability: 10, isClosed: false, isWon: false },
  { value: 'qualification', label: 'Qualification', probability: 20, isClosed: false, isWon: false },
  { value: 'needs_analysis', label: 'Needs Analysis', probability: 35, isClosed: false, isWon: false },
  { value: 'proposal', label: 'Proposal / Price Quote', probability: 60, isClosed: false, isWon: false },
  { value: 'negotiation', label: 'Negotiation / Review', probability: 80, isClosed: false, isWon: false },
  { value: 'closed_won', label: 'Closed Won', probability: 100, isClosed: true, isWon: true },
  { value: 'closed_lost', label: 'Closed Lost', probability: 0, isClosed: true, isWon: false },
];

function systemItems(): Item[] {
  return [
    {
      type: 'object',
      namespace: 'core',
      name: 'user',
      tags: ['core'],
      payload: object(
        'User',
        'Users',
        'user',
        {
          username: text('Username', 80, { required: true, unique: true }),
          email: email('Email', { required: true }),
          full_name: text('Full Name', 121, { required: true }),
          title: text('Title', 80),
          department: text('Department', 80),
          manager: lookup('Manager', 'core.user'),
          locale: picklist(
            'Locale',
            opts(
              ['en_us', 'English (United States)'],
              ['en_gb', 'English (United Kingdom)'],
              ['fr_fr', 'Français (France)'],
              ['de_de', 'Deutsch (Deutschland)'],
              ['pl_pl', 'Polski (Polska)'],
              ['ja_jp', '日本語 (日本)'],
            ),
            { defaultValue: 'en_us', required: true },
          ),
          time_zone: text('Time Zone', 64, { defaultValue: 'UTC', helpText: 'An IANA time zone name, such as Europe/Paris.' }),
          is_active: checkbox('Active', true),
        },
        { sharingModel: 'read', builtIn: true, description: 'A person who signs in to the platform.' },
      ),
    },
    {
      type: 'value_set',
      namespace: 'core',
      name: 'currency',
      tags: ['core'],
      payload: {
        label: 'Currency',
        description: 'ISO 4217 currencies a currency field can hold, with the number of minor units each is stored with.',
        sorted: true,
        restricted: true,
        values: [
          { value: 'BHD', label: 'Bahraini Dinar', symbol: '.د.ب', decimalPlaces: 3 },
          { value: 'CHF', label: 'Swiss Franc', symbol: 'CHF', decimalPlaces: 2 },
          { value: 'EUR', label: 'Euro', symbol: '€', decimalPlaces: 2 },
          { value: 'GBP', label: 'Pound Sterling', symbol: '£', decimalPlaces: 2 },
          { value: 'JPY', label: 'Japanese Yen', symbol: '¥', decimalPlaces: 0 },
          { value: 'PLN', label: 'Polish Złoty', symbol: 'zł', decimalPlaces: 2 },
          { value: 'USD', label: 'US Dollar', symbol: '$', decimalPlaces: 2 },
        ],
      },
    },
    {
      type: 'permission_set',
      namespace: 'core',
      name: 'system_administrator',
      tags: ['core', 'security'],
      payload: {
        label: 'System Administrator',
        description: 'Full access to every record and to setup. Assign sparingly.',
        allObjects: crud('rcedvm'),
        systemPermissions: [
          'manage_metadata',
          'manage_users',
          'manage_flows',
          'view_setup',
          'export_data',
          'view_all_data',
          'modify_all_data',
        ],
        sessionTimeoutMinutes: 60,
        requireMfa: true,
      },
    },
    {
      type: 'permission_set',
      namespace: 'core',
      name: 'read_only',
      tags: ['core', 'security'],
      payload: {
        label: 'Read Only',
        description: 'Reads the records shared with the user; changes nothing.',
        allObjects: crud('r'),
        systemPermissions: ['run_reports'],
        sessionTimeoutMinutes: 480,
        requireMfa: false,
      },
    },
    {
      type: 'object',
      namespace: 'crm',
      name: 'account',
      tags: ['crm', 'core'],
      payload: object(
        'Account',
        'Accounts',
        'building',
        {
          name: text('Account Name', 255, { required: true }),
          account_number: text('Account Number', 40),
          website: url('Website'),
          phone: phone('Phone'),
          industry: picklist(
            'Industry',
            opts('technology', 'manufacturing', 'retail', 'healthcare', 'financial_services', 'education', 'other'),
          ),
          type: picklist('Type', opts('prospect', 'customer', 'partner', 'competitor', 'other'), { defaultValue: 'prospect' }),
          billing_address: address('Billing Address'),
          shipping_address: address('Shipping Address'),
          parent_account: lookup('Parent Account', 'crm.account'),
          number_of_employees: number('Employees', 9, 0, { minValue: 0 }),
          annual_revenue: currency('Annual Revenue', { minValue: 0 }),
          description: longText('Description'),
          legacy_code: text('Legacy Code', 20, {
            helpText: 'Identifier in the system this platform replaced; kept for the migration only.',
          }),
          owner: owner(),
        },
        { features: { history: true, search: true, activities: true } },
      ),
    },
    {
      type: 'object',
      namespace: 'crm',
      name: 'contact',
      tags: ['crm', 'core'],
      payload: object(
        'Contact',
        'Contacts',
        'address_card',
        {
          salutation: picklist('Salutation', opts(['mr', 'Mr.'], ['ms', 'Ms.'], ['mx', 'Mx.'], ['dr', 'Dr.'], ['prof', 'Prof.'])),
          first_name: text('First Name', 40),
          last_name: text('Last Name', 80, { required: true }),
          full_name: formula('Full Name', 'text', "CONCAT_WS(' ', first_name, last_name)"),
          email: email('Email'),
          phone: phone('Phone'),
          mobile_phone: phone('Mobile'),
          title: text('Title', 128),
          account: lookup('Account', 'crm.account'),
          reports_to: lookup('Reports To', 'crm.contact'),
          mailing_address: address('Mailing Address'),
          do_not_call: checkbox('Do Not Call'),
          email_opt_out: checkbox('Email Opt Out'),
          owner: owner(),
        },
        { nameField: 'full_name', features: { history: true, search: true, activities: true } },
      ),
    },
    {
      type: 'object',
      namespace: 'crm',
      name: 'lead',
      tags: ['crm', 'core'],
      payload: object(
        'Lead',
        'Leads',
        'funnel',
        {
          first_name: text('First Name', 40),
          last_name: text('Last Name', 80, { required: true }),
          company: text('Company', 255, { required: true }),
          title: text('Title', 128),
          email: email('Email'),
          phone: phone('Phone'),
          status: picklist('Lead Status', opts('open', 'working', 'nurturing', 'qualified', 'unqualified'), {
            defaultValue: 'open',
            required: true,
            restricted: true,
          }),
          lead_source: picklist('Lead Source', opts('web', 'referral', 'event', 'partner', 'cold_call', 'advertisement', 'other')),
          rating: picklist('Rating', opts('hot', 'warm', 'cold')),
          converted: checkbox('Converted', false, { readOnly: true }),
          converted_account: lookup('Converted Account', 'crm.account', { readOnly: true }),
          converted_contact: lookup('Converted Contact', 'crm.contact', { readOnly: true }),
          converted_opportunity: lookup('Converted Opportunity', 'crm.opportunity', { readOnly: true }),
          owner: owner(),
        },
        { nameField: 'last_name', features: { history: true, search: true, activities: true } },
      ),
    },
    {
      type: 'object',
      namespace: 'crm',
      name: 'opportunity',
      tags: ['crm', 'core'],
      payload: object(
        'Opportunity',
        'Opportunities',
        'handshake',
        {
          name: text('Opportunity Name', 120, { required: true }),
          account: lookup('Account', 'crm.account', { required: true, onDelete: 'restrict' }),
          amount: currency('Amount', { minValue: 0 }),
          close_date: date('Close Date', { required: true }),
          stage: picklist('Stage', OPPORTUNITY_STAGES, { defaultValue: 'prospecting', required: true, restricted: true }),
          probability: percent('Probability (%)', { minValue: 0, maxValue: 100, helpText: "Defaults to the stage's probability." }),
          forecast_category: picklist('Forecast Category', opts('pipeline', 'best_case', 'commit', 'omitted', 'closed')),
          next_step: text('Next Step', 255),
          lead_source: picklist('Lead Source', opts('web', 'referral', 'event', 'partner', 'cold_call', 'advertisement', 'other')),
          description: longText('Description'),
          owner: owner(),
        },
        { features: { history: true, search: true, activities: true } },
      ),
    },
    {
      type: 'view',
      namespace: 'crm',
      name: 'all_accounts',
      tags: ['crm'],
      payload: listView('crm.account', 'All Accounts', { columns: ['name', 'industry', 'phone', 'owner'], sort: ['name'] }),
    },
    {
      type: 'view',
      namespace: 'crm',
      name: 'recently_viewed_accounts',
      tags: ['crm'],
      payload: listView('crm.account', 'Recently Viewed', {
        columns: ['name', 'phone', 'owner'],
        filters: [['$last_viewed_at', 'within_last_days', 30]],
        sort: ['-$last_viewed_at'],
        pageSize: 25,
        visibility: 'owner',
      }),
    },
    {
      type: 'object',
      namespace: 'help_desk',
      name: 'case',
      tags: ['help_desk', 'core'],
      payload: object(
        'Case',
        'Cases',
        'life_ring',
        {
          case_number: autoNumber('Case Number', 'CS-{00000000}'),
          subject: text('Subject', 255, { required: true }),
          description: longText('Description'),
          status: picklist('Status', CASE_STATUS, { defaultValue: 'new', required: true, restricted: true }),
          priority: picklist('Priority', opts('low', 'medium', 'high', 'urgent'), { defaultValue: 'medium', required: true }),
          origin: picklist('Origin', opts('email', 'web', 'phone', 'chat')),
          account: lookup('Account', 'crm.account'),
          contact: lookup('Contact', 'crm.contact'),
          first_response_at: datetime('First Response', { readOnly: true }),
          closed_at: datetime('Closed', { readOnly: true }),
          owner: owner(),
        },
        { nameField: 'case_number', features: { history: true, search: true, activities: true } },
      ),
    },
    {
      type: 'view',
      namespace: 'help_desk',
      name: 'recently_viewed_cases',
      tags: ['help_desk'],
      payload: listView('help_desk.case', 'Recently Viewed Cases', {
        columns: ['case_number', 'subject', 'status', 'priority'],
        filters: [['$last_viewed_at', 'within_last_days', 14]],
        sort: ['-$last_viewed_at'],
        pageSize: 25,
        visibility: 'owner',
      }),
    },
    {
      type: 'flow',
      namespace: 'help_desk',
      name: 'case_auto_assignment',
      tags: ['help_desk', 'routing'],
      payload: {
        label: 'Case Auto-Assignment',
        description: 'Puts every new case in the default support queue.',
        apiVersion: 2,
        trigger: { type: 'record_created', object: 'help_desk.case' },
        settings: { defaultQueue: 'support', runAs: 'system' },
        steps: [{ id: 'assign_default_queue', type: 'assign', queue: '$settings.defaultQueue' }],
        errorHandling: { onError: 'stop', notify: ['core.system_administrator'] },
      },
    },
  ];
}

// ---------------------------------------------------------------------------
// Tenant acme: a US software-as-a-service vendor (CRM, help desk, CPQ)
// ---------------------------------------------------------------------------

function acmeObjects(): Item[] {
  return [
    {
      type: 'object',
      namespace: 'crm',
      name: 'account',
      tags: ['crm', 'core'],
      extends: 'account',
      mergeStrategy: 'merge',
      payload: {
        description: 'A company we sell to, partner with or compete against.',
        features: { duplicateRules: true },
        fields: {
          industry: { options: null, valueSet: 'crm.industry' },
          legacy_code: null,
          region: valueSetPicklist('Region', 'crm.region'),
          customer_tier: picklist('Customer Tier', opts('strategic', 'enterprise', 'mid_market', ['smb', 'SMB'])),
          arr: currency('ARR', { readOnly: true, helpText: 'Annual recurring revenue of the active subscriptions, in USD.' }),
          health_score: number('Health Score', 3, 0, { minValue: 0, maxValue: 100 }),
          churn_risk: picklist('Churn Risk', opts('low', 'medium', 'high')),
          success_manager: lookup('Customer Success Manager', 'core.user'),
          renewal_date: date('Next Renewal'),
        },
      },
    },
    {
      type: 'object',
      namespace: 'crm',
      name: 'contact',
      tags: ['crm', 'core', 'gdpr'],
      extends: 'contact',
      mergeStrategy: 'merge',
      payload: {
        fields: {
          preferred_name: text('Preferred Name ("goes by")', 40),
          buying_role: picklist('Buying Role', opts('economic_buyer', 'champion', 'technical_evaluator', 'end_user', 'blocker')),
          linkedin_url: url('LinkedIn Profile'),
          gdpr_consent: checkbox('Marketing Consent'),
          gdpr_consent_date: date('Consent Date'),
        },
        validationRules: [
          {
            name: 'consent_needs_date',
            condition: 'NOT(gdpr_consent) OR NOT(ISBLANK(gdpr_consent_date))',
            message: 'Record the date on which the contact gave marketing consent.',
          },
        ],
      },
    },
    {
      type: 'object',
      namespace: 'crm',
      name: 'lead',
      tags: ['crm', 'core'],
      extends: 'lead',
      mergeStrategy: 'merge',
      payload: {
        fields: {
          lead_source: { options: null, valueSet: 'crm.lead_source' },
          status: { options: opts('open', 'working', 'nurturing', 'qualified', 'unqualified', 'recycled') },
          score: number('Lead Score', 3, 0, { minValue: 0, maxValue: 100, readOnly: true }),
          company_size: picklist(
            'Company Size',
            opts(['1_10', '1–10'], ['11_50', '11–50'], ['51_200', '51–200'], ['201_1000', '201–1,000'], ['1001_plus', '1,001+']),
          ),
          utm_campaign: text('UTM Campaign', 100),
          campaign: lookup('Campaign', 'crm.campaign'),
        },
      },
    },
    {
      type: 'object',
      namespace: 'crm',
      name: 'opportunity',
      tags: ['crm', 'core'],
      extends: 'opportunity',
      mergeStrategy: 'merge',
      payload: {
        fields: {
          type: picklist('Opportunity Type', opts('new_business', 'expansion', 'renewal'), { required: true }),
          arr_delta: currency('ARR Change', { helpText: 'Negative for a downgrade at renewal.' }),
          discount_percent: percent('Discount (%)', { minValue: 0, maxValue: 35 }),
          competitor: lookup('Primary Competitor', 'crm.account', {
            lookupFilter: { field: 'type', operator: 'equals', value: 'competitor' },
          }),
          primary_quote: lookup('Primary Quote', 'cpq.quote'),
          campaign: lookup('Campaign', 'crm.campaign'),
        },
      },
    },
    {
      type: 'object',
      namespace: 'crm',
      name: 'campaign',
      tags: ['crm', 'marketing'],
      payload: object(
        'Campaign',
        'Campaigns',
        'megaphone',
        {
          name: text('Campaign Name', 80, { required: true }),
          type: picklist('Type', opts('webinar', 'conference', 'email', 'paid_social', 'content_syndication', 'partner')),
          status: picklist('Status', opts('planned', 'in_progress', 'completed', 'aborted'), { defaultValue: 'planned' }),
          start_date: date('Start Date'),
          end_date: date('End Date'),
          budgeted_cost: currency('Budgeted Cost', { minValue: 0 }),
          actual_cost: currency('Actual Cost', { minValue: 0 }),
          expected_revenue: currency('Expected Revenue'),
          parent_campaign: lookup('Parent Campaign', 'crm.campaign'),
          owner: owner(),
        },
        {
          sharingModel: 'read',
          validationRules: [
            { name: 'end_after_start', condition: 'end_date >= start_date', message: 'End Date must not be before Start Date.' },
          ],
        },
      ),
    },
    {
      type: 'object',
      namespace: 'crm',
      name: 'contract',
      tags: ['crm'],
      payload: object('Contract', 'Contracts', 'file_signature', {
        contract_number: autoNumber('Contract Number', 'CTR-{000000}', 1000),
        account: masterDetail('Account', 'crm.account'),
        status: picklist('Status', opts('draft', 'in_approval', 'activated', 'expired', 'terminated'), { defaultValue: 'draft' }),
        start_date: date('Start Date', { required: true }),
        term_months: number('Term (months)', 3, 0, { minValue: 1, maxValue: 120, defaultValue: 12 }),
        end_date: formula('End Date', 'date', 'ADD_MONTHS(start_date, term_months) - 1'),
        auto_renew: checkbox('Renews Automatically', true),
        renewal_notice_days: number('Renewal Notice (days)', 3, 0, { defaultValue: 90 }),
        customer_signed_by: lookup('Customer Signed By', 'crm.contact'),
        owner: owner(),
      }),
    },
    {
      type: 'object',
      namespace: 'crm',
      name: 'subscription',
      tags: ['crm', 'billing'],
      payload: object('Subscription', 'Subscriptions', 'repeat', {
        subscription_number: autoNumber('Subscription', 'SUB-{000000}'),
        account: lookup('Account', 'crm.account', { required: true, onDelete: 'restrict' }),
        product: lookup('Product', 'cpq.product', { required: true, onDelete: 'restrict' }),
        contract: lookup('Contract', 'crm.contract'),
        quantity: number('Seats', 10, 0, { minValue: 1, required: true }),
        unit_price: currency('Unit Price (per month)', { scale: 4, helpText: 'Per-seat prices are kept to 4 decimal places.' }),
        mrr: formula('MRR', 'currency', 'ROUND(quantity * unit_price, 2)', { scale: 2 }),
        billing_frequency: picklist('Billing Frequency', opts('monthly', 'quarterly', 'annual'), { defaultValue: 'annual' }),
        status: picklist('Status', opts('trial', 'active', 'past_due', 'cancelled', 'churned'), { defaultValue: 'trial' }),
        start_date: date('Start Date', { required: true }),
        end_date: date('End Date'),
      }),
    },
    {
      type: 'object',
      namespace: 'help_desk',
      name: 'case',
      tags: ['help_desk', 'core'],
      extends: 'case',
      mergeStrategy: 'merge',
      payload: {
        fields: {
          priority: {
            options: opts('low', 'medium', 'high', 'critical'),
            helpText: 'Critical: production down for every user of the account.',
          },
          case_reason: valueSetPicklist('Case Reason', 'help_desk.case_reason'),
          product: lookup('Product', 'cpq.product'),
          escalated: checkbox('Escalated'),
          reopened_count: number('Times Reopened', 3, 0, { defaultValue: 0, readOnly: true }),
          csat_score: number('CSAT', 1, 0, {
            minValue: 1,
            maxValue: 5,
            helpText: 'Customer satisfaction, 1 (very unhappy) to 5 (very happy).',
          }),
        },
      },
    },
    {
      type: 'object',
      namespace: 'help_desk',
      name: 'case_comment',
      tags: ['help_desk'],
      payload: object(
        'Case Comment',
        'Case Comments',
        'comment',
        {
          case: masterDetail('Case', 'help_desk.case'),
          body: longText('Comment', 10000, { required: true }),
          is_public: checkbox('Visible to Customer'),
          author: lookup('Author', 'core.user', { readOnly: true }),
        },
        { sharingModel: 'controlled_by_parent', features: { history: false, search: true, activities: false } },
      ),
    },
    {
      type: 'object',
      namespace: 'help_desk',
      name: 'knowledge_article',
      tags: ['help_desk', 'knowledge'],
      payload: object(
        'Knowledge Article',
        'Knowledge Articles',
        'book',
        {
          title: text('Title', 255, { required: true }),
          url_name: text('URL Name', 255, { unique: true, pattern: '^[a-z0-9]+(-[a-z0-9]+)*$' }),
          summary: longText('Summary', 1000),
          body: richText('Article Body'),
          status: picklist('Status', opts('draft', 'in_review', 'published', 'archived'), { defaultValue: 'draft' }),
          visibility: multiPicklist('Visible In', opts('internal', 'customer_portal', 'public_site')),
          language: picklist('Language', opts(['en', 'English'], ['fr', 'Français'], ['de', 'Deutsch'], ['ja', '日本語'])),
          published_at: datetime('Published', { readOnly: true }),
          helpful_votes: number('Helpful Votes', 9, 0, { readOnly: true, defaultValue: 0 }),
        },
        { sharingModel: 'read' },
      ),
    },
    {
      type: 'object',
      namespace: 'cpq',
      name: 'product',
      tags: ['cpq'],
      payload: object(
        'Product',
        'Products',
        'box',
        {
          name: text('Product Name', 255, { required: true }),
          product_code: text('Product Code', 40, { unique: true }),
          family: valueSetPicklist('Product Family', 'cpq.product_family'),
          description: longText('Description', 4000),
          unit_of_measure: picklist('Unit', opts('seat', 'license', 'hour', ['gb_month', 'GB-month'], 'each')),
          list_price: currency('List Price', { minValue: 0 }),
          cost: currency('Unit Cost', { minValue: 0 }),
          taxable: checkbox('Taxable', true),
          is_active: checkbox('Active', true),
        },
        { sharingModel: 'read' },
      ),
    },
    {
      type: 'object',
      namespace: 'cpq',
      name: 'price_book',
      tags: ['cpq'],
      payload: object(
        'Price Book',
        'Price Books',
        'book_open',
        {
          name: text('Price Book Name', 255, { required: true }),
          currency: valueSetPicklist('Currency', 'core.currency', { required: true, defaultValue: 'USD' }),
          is_standard: checkbox('Standard'),
          is_active: checkbox('Active', true),
          valid_from: date('Valid From'),
          valid_to: date('Valid To'),
          description: longText('Description', 1000),
        },
        { sharingModel: 'read' },
      ),
    },
    {
      type: 'object',
      namespace: 'cpq',
      name: 'price_book_entry',
      tags: ['cpq'],
      payload: object(
        'Price Book Entry',
        'Price Book Entries',
        'tag',
        {
          price_book: masterDetail('Price Book', 'cpq.price_book'),
          product: lookup('Product', 'cpq.product', { required: true, onDelete: 'restrict' }),
          unit_price: currency('Unit Price', { scale: 4, required: true, minValue: 0 }),
          min_quantity: number('Minimum Quantity', 10, 0, { minValue: 1, defaultValue: 1 }),
          is_active: checkbox('Active', true),
        },
        { sharingModel: 'controlled_by_parent', uniqueKeys: [['price_book', 'product', 'min_quantity']] },
      ),
    },
    {
      type: 'object',
      namespace: 'cpq',
      name: 'quote',
      tags: ['cpq'],
      payload: object('Quote', 'Quotes', 'file_invoice_dollar', {
        quote_number: autoNumber('Quote Number', 'Q-{YYYY}-{00000}'),
        opportunity: lookup('Opportunity', 'crm.opportunity', { required: true, onDelete: 'restrict' }),
        account: lookup('Account', 'crm.account'),
        prepared_for: lookup('Prepared For', 'crm.contact'),
        price_book: lookup('Price Book', 'cpq.price_book', { required: true }),
        status: picklist('Status', opts('draft', 'needs_review', 'approved', 'presented', 'accepted', 'rejected'), {
          defaultValue: 'draft',
        }),
        expiration_date: date('Valid Until'),
        subtotal: field('rollup', 'Subtotal', { object: 'cpq.quote_line_item', field: 'line_total', function: 'sum', scale: 2 }),
        discount_percent: percent('Header Discount (%)', { minValue: 0, maxValue: 50 }),
        total: formula('Total', 'currency', 'ROUND(subtotal * (1 - discount_percent / 100), 2)', { scale: 2 }),
        payment_terms: picklist(
          'Payment Terms',
          opts(['net_15', 'Net 15'], ['net_30', 'Net 30'], ['net_45', 'Net 45'], ['net_60', 'Net 60']),
          {
            defaultValue: 'net_30',
          },
        ),
        owner: owner(),
      }),
    },
    {
      type: 'object',
      namespace: 'cpq',
      name: 'quote_line_item',
      tags: ['cpq'],
      payload: object(
        'Quote Line',
        'Quote Lines',
        'list',
        {
          quote: masterDetail('Quote', 'cpq.quote'),
          product: lookup('Product', 'cpq.product', { required: true, onDelete: 'restrict' }),
          quantity: number('Quantity', 12, 2, { minValue: 0.01, required: true }),
          unit_price: currency('Unit Price', { scale: 4, required: true }),
          discount_percent: percent('Discount (%)', { minValue: 0, maxValue: 100 }),
          line_total: formula('Line Total', 'currency', 'ROUND(quantity * unit_price * (1 - discount_percent / 100), 2)', { scale: 2 }),
          sort_order: number('Line', 4, 0),
        },
        { sharingModel: 'controlled_by_parent', features: { history: false, search: false, activities: false } },
      ),
    },
  ];
}

function acmeViews(): Item[] {
  const v = (namespace: string, name: string, payload: JsonObject, extra: Partial<Item> = {}): Item => ({
    type: 'view',
    namespace,
    name,
    tags: [namespace],
    payload,
    ...extra,
  });
  const openStages: Filter = ['stage', 'not_in', ['closed_won', 'closed_lost']];
  return [
    v(
      'crm',
      'all_accounts',
      {
        columns: ['name', 'customer_tier', 'region', 'arr', 'owner'],
        sort: sort('name'),
        description: 'Every account the user can see.',
      },
      { extends: 'all_accounts', mergeStrategy: 'merge' },
    ),
    v(
      'crm',
      'my_accounts',
      listView('crm.account', 'My Accounts', {
        columns: ['name', 'customer_tier', 'health_score', 'renewal_date'],
        filters: [['owner', 'equals', '$current_user']],
        sort: ['renewal_date'],
      }),
    ),
    v(
      'crm',
      'accounts_at_risk',
      listView('crm.account', 'Accounts "At Risk"', {
        description: 'Customers with a high churn risk or a health score under 40.',
        columns: ['name', 'health_score', 'churn_risk', 'arr', 'success_manager', 'renewal_date'],
        filters: [
          ['type', 'equals', 'customer'],
          ['churn_risk', 'equals', 'high'],
          ['health_score', 'less_than', 40],
        ],
        filterLogic: '1 AND (2 OR 3)',
        sort: ['health_score', '-arr'],
        pageSize: 100,
      }),
    ),
    v(
      'crm',
      'strategic_accounts',
      listView('crm.account', 'Strategic Accounts', {
        columns: ['name', 'industry', 'arr', 'number_of_employees', 'success_manager'],
        filters: [['customer_tier', 'equals', 'strategic']],
        sort: ['-arr'],
      }),
    ),
    v(
      'crm',
      'all_contacts',
      listView('crm.contact', 'All Contacts', {
        columns: ['full_name', 'account', 'title', 'email', 'phone'],
        sort: ['last_name', 'first_name'],
      }),
    ),
    v(
      'crm',
      'my_contacts',
      listView('crm.contact', 'My Contacts', {
        columns: ['full_name', 'account', 'buying_role', 'email'],
        filters: [['owner', 'equals', '$current_user']],
        sort: ['last_name'],
      }),
    ),
    v(
      'crm',
      'legacy_all_contacts',
      listView('crm.contact', 'All Contacts (old)', {
        description: 'Replaced by All Contacts; kept until the saved reports that use it are moved.',
        columns: ['last_name', 'first_name', 'account', 'phone'],
        sort: ['last_name'],
      }),
      { state: 'deprecated' },
    ),
    v(
      'crm',
      'contacts_without_consent',
      listView('crm.contact', 'Contacts Without Marketing Consent', {
        columns: ['full_name', 'account', 'email', 'email_opt_out'],
        filters: [
          ['gdpr_consent', 'equals', false],
          ['email', 'is_not_null'],
        ],
        sort: ['account', 'last_name'],
        pageSize: 200,
        visibility: { permissionSets: ['marketing_user'] },
      }),
      { tags: ['crm', 'gdpr'] },
    ),
    v(
      'crm',
      'all_leads',
      listView('crm.lead', 'All Leads', { columns: ['last_name', 'company', 'status', 'lead_source', 'owner'], sort: ['-$created_at'] }),
    ),
    v(
      'crm',
      'open_leads',
      listView('crm.lead', 'Open Leads', {
        columns: ['last_name', 'first_name', 'company', 'status', 'score'],
        filters: [['status', 'in', ['open', 'working', 'nurturing']]],
        sort: ['-score', '-$created_at'],
      }),
    ),
    v(
      'crm',
      'unassigned_leads',
      listView('crm.lead', 'Unassigned Leads', {
        columns: ['last_name', 'company', 'lead_source', 'company_size', '$created_at'],
        filters: [['owner', 'equals', '$queue:lead_intake']],
        sort: ['$created_at'],
      }),
    ),
    v(
      'crm',
      'hot_leads',
      listView('crm.lead', 'Hot Leads 🔥', {
        columns: ['last_name', 'company', 'score', 'rating', 'owner'],
        filters: [
          ['score', 'greater_or_equal', 80],
          ['converted', 'equals', false],
        ],
        sort: ['-score'],
        pageSize: 25,
      }),
    ),
    v(
      'crm',
      'open_opportunities',
      listView('crm.opportunity', 'Open Opportunities', {
        columns: ['name', 'account', 'stage', 'amount', 'close_date', 'owner'],
        filters: [openStages],
        sort: ['close_date'],
      }),
    ),
    v(
      'crm',
      'closing_this_quarter',
      listView('crm.opportunity', 'Closing This Quarter', {
        columns: ['name', 'account', 'stage', 'amount', 'probability', 'forecast_category', 'close_date'],
        filters: [openStages, ['close_date', 'in_period', 'this_fiscal_quarter']],
        sort: ['close_date', '-amount'],
        pageSize: 100,
      }),
    ),
    v(
      'crm',
      'won_opportunities',
      listView('crm.opportunity', 'Closed Won', {
        columns: ['name', 'account', 'type', 'amount', 'arr_delta', 'close_date'],
        filters: [['stage', 'equals', 'closed_won']],
        sort: ['-close_date'],
      }),
    ),
    v(
      'crm',
      'large_deals',
      listView('crm.opportunity', 'Deals Over $100k', {
        columns: ['name', 'account', 'amount', 'discount_percent', 'stage', 'owner'],
        filters: [openStages, ['amount', 'greater_or_equal', 100000]],
        sort: ['-amount'],
        visibility: { permissionSets: ['sales_manager'] },
      }),
    ),
    v(
      'crm',
      'active_campaigns',
      listView('crm.campaign', 'Active Campaigns', {
        columns: ['name', 'type', 'start_date', 'end_date', 'budgeted_cost', 'actual_cost'],
        filters: [['status', 'equals', 'in_progress']],
        sort: ['end_date'],
      }),
    ),
    v(
      'crm',
      'expiring_contracts',
      listView('crm.contract', 'Contracts Expiring in 90 Days', {
        columns: ['contract_number', 'account', 'end_date', 'auto_renew', 'owner'],
        filters: [
          ['status', 'equals', 'activated'],
          ['end_date', 'within_next_days', 90],
        ],
        sort: ['end_date'],
      }),
    ),
    v(
      'crm',
      'active_subscriptions',
      listView('crm.subscription', 'Active Subscriptions', {
        columns: ['subscription_number', 'account', 'product', 'quantity', 'mrr', 'billing_frequency'],
        filters: [['status', 'in', ['active', 'past_due']]],
        sort: ['account', 'product'],
        pageSize: 100,
      }),
    ),
    v(
      'crm',
      'churned_subscriptions',
      listView('crm.subscription', 'Churned This Year', {
        columns: ['subscription_number', 'account', 'product', 'mrr', 'end_date'],
        filters: [
          ['status', 'equals', 'churned'],
          ['end_date', 'in_period', 'this_fiscal_year'],
        ],
        sort: ['-end_date'],
      }),
    ),
    v(
      'help_desk',
      'all_cases',
      listView('help_desk.case', 'All Cases', {
        columns: ['case_number', 'subject', 'account', 'status', 'priority', 'owner'],
        sort: ['-$created_at'],
      }),
    ),
    v(
      'help_desk',
      'my_open_cases',
      listView('help_desk.case', 'My Open Cases', {
        columns: ['case_number', 'subject', 'account', 'status', 'priority', '$sla_due_at'],
        filters: [
          ['owner', 'equals', '$current_user'],
          ['status', 'not_in', ['resolved', 'closed']],
        ],
        sort: ['$sla_due_at'],
      }),
    ),
    v(
      'help_desk',
      'critical_cases',
      listView('help_desk.case', 'Critical & High Priority', {
        columns: ['case_number', 'subject', 'account', 'priority', 'status', 'owner', '$sla_due_at'],
        filters: [
          ['priority', 'in', ['critical', 'high']],
          ['status', 'not_in', ['resolved', 'closed']],
        ],
        sort: ['priority', '$sla_due_at'],
      }),
    ),
    v(
      'help_desk',
      'escalated_cases',
      listView('help_desk.case', 'Escalated', {
        columns: ['case_number', 'subject', 'account', 'priority', 'owner', 'reopened_count'],
        filters: [['escalated', 'equals', true]],
        sort: ['-$updated_at'],
      }),
    ),
    v(
      'help_desk',
      'unassigned_cases',
      listView('help_desk.case', 'Unassigned Cases', {
        columns: ['case_number', 'subject', 'origin', 'priority', '$created_at'],
        filters: [['owner', 'starts_with', '$queue:']],
        sort: ['$created_at'],
        pageSize: 100,
      }),
    ),
    v(
      'help_desk',
      'cases_closed_this_month',
      listView('help_desk.case', 'Closed This Month', {
        columns: ['case_number', 'subject', 'account', 'closed_at', 'csat_score'],
        filters: [
          ['status', 'equals', 'closed'],
          ['closed_at', 'in_period', 'this_month'],
        ],
        sort: ['-closed_at'],
      }),
    ),
    v(
      'help_desk',
      'published_articles',
      listView('help_desk.knowledge_article', 'Published Articles', {
        columns: ['title', 'language', 'published_at', 'helpful_votes'],
        filters: [['status', 'equals', 'published']],
        sort: ['-helpful_votes'],
      }),
    ),
    v(
      'help_desk',
      'articles_in_review',
      listView('help_desk.knowledge_article', 'Articles Waiting for Review', {
        columns: ['title', 'language', 'owner', '$updated_at'],
        filters: [['status', 'equals', 'in_review']],
        sort: ['$updated_at'],
        visibility: { permissionSets: ['support_manager'] },
      }),
    ),
    v(
      'cpq',
      'active_products',
      listView('cpq.product', 'Active Products', {
        columns: ['name', 'product_code', 'family', 'unit_of_measure', 'list_price'],
        filters: [['is_active', 'equals', true]],
        sort: ['family', 'name'],
      }),
    ),
    v(
      'cpq',
      'open_quotes',
      listView('cpq.quote', 'Open Quotes', {
        columns: ['quote_number', 'opportunity', 'status', 'total', 'expiration_date'],
        filters: [['status', 'in', ['draft', 'needs_review', 'approved', 'presented']]],
        sort: ['expiration_date'],
      }),
    ),
    v(
      'cpq',
      'quotes_needing_approval',
      listView('cpq.quote', 'Quotes Needing Approval', {
        columns: ['quote_number', 'opportunity', 'discount_percent', 'total', 'owner'],
        filters: [['status', 'equals', 'needs_review']],
        sort: ['-discount_percent'],
        visibility: { permissionSets: ['sales_manager', 'cpq_admin'] },
      }),
    ),
    v(
      'cpq',
      'price_books',
      listView('cpq.price_book', 'Price Books', {
        columns: ['name', 'currency', 'is_standard', 'valid_from', 'valid_to'],
        filters: [['is_active', 'equals', true]],
        sort: ['-is_standard', 'name'],
      }),
    ),
  ];
}

function acmeLayouts(): Item[] {
  const l = (namespace: string, name: string, payload: JsonObject, extra: Partial<Item> = {}): Item => ({
    type: 'layout',
    namespace,
    name,
    tags: [namespace],
    payload,
    ...extra,
  });
  return [
    l(
      'crm',
      'account_default',
      layout(
        'crm.account',
        'Account Layout',
        ['customer_tier', 'arr', 'health_score', 'owner'],
        [
          ['Account Information', 2, ['name', 'account_number', 'type', 'industry', 'website', 'phone', 'parent_account', 'region']],
          ['Customer Success', 2, ['customer_tier', 'success_manager', 'health_score', 'churn_risk', 'arr', 'renewal_date']],
          ['Addresses', 2, ['billing_address', 'shipping_address']],
          ['Description', 1, ['description']],
        ],
        [
          related('crm.contact', 'account', ['full_name', 'title', 'email'], 'last_name'),
          related('crm.opportunity', 'account', ['name', 'stage', 'amount', 'close_date'], '-close_date'),
          related('help_desk.case', 'account', ['case_number', 'subject', 'status'], '-$created_at'),
          related('crm.subscription', 'account', ['product', 'quantity', 'mrr', 'status'], 'product'),
        ],
      ),
    ),
    l(
      'crm',
      'contact_default',
      layout(
        'crm.contact',
        'Contact Layout',
        ['account', 'title', 'email', 'phone'],
        [
          [
            'Contact Information',
            2,
            ['salutation', 'first_name', 'last_name', 'preferred_name', 'title', 'account', 'reports_to', 'buying_role'],
          ],
          ['Reach', 2, ['email', 'phone', 'mobile_phone', 'linkedin_url', 'mailing_address']],
          ['Privacy', 2, ['gdpr_consent', 'gdpr_consent_date', 'email_opt_out', 'do_not_call']],
        ],
        [related('help_desk.case', 'contact', ['case_number', 'subject', 'status'], '-$created_at')],
      ),
    ),
    l(
      'crm',
      'lead_default',
      layout(
        'crm.lead',
        'Lead Layout',
        ['company', 'status', 'score', 'owner'],
        [
          ['Lead Information', 2, ['first_name', 'last_name', 'title', 'company', 'company_size', 'email', 'phone']],
          ['Qualification', 2, ['status', 'rating', 'score', 'lead_source', 'campaign', 'utm_campaign']],
          ['Conversion', 2, ['converted', 'converted_account', 'converted_contact', 'converted_opportunity']],
        ],
      ),
    ),
    l(
      'crm',
      'opportunity_default',
      layout(
        'crm.opportunity',
        'Opportunity Layout',
        ['account', 'stage', 'amount', 'close_date'],
        [
          [
            'Opportunity Information',
            2,
            ['name', 'account', 'type', 'stage', 'probability', 'forecast_category', 'close_date', 'next_step'],
          ],
          ['Commercials', 2, ['amount', 'arr_delta', 'discount_percent', 'primary_quote', 'competitor', 'campaign']],
          ['Description', 1, ['description']],
        ],
        [related('cpq.quote', 'opportunity', ['quote_number', 'status', 'total', 'expiration_date'], '-$created_at')],
      ),
    ),
    l(
      'crm',
      'campaign_default',
      layout(
        'crm.campaign',
        'Campaign Layout',
        ['status', 'start_date', 'end_date'],
        [
          ['Campaign', 2, ['name', 'type', 'status', 'parent_campaign', 'start_date', 'end_date']],
          ['Budget', 2, ['budgeted_cost', 'actual_cost', 'expected_revenue']],
        ],
        [related('crm.lead', 'campaign', ['last_name', 'company', 'status'], '-$created_at')],
      ),
    ),
    l(
      'crm',
      'contract_default',
      layout(
        'crm.contract',
        'Contract Layout',
        ['account', 'status', 'end_date'],
        [
          ['Contract', 2, ['contract_number', 'account', 'status', 'customer_signed_by']],
          ['Term', 2, ['start_date', 'term_months', 'end_date', 'auto_renew', 'renewal_notice_days']],
        ],
        [related('crm.subscription', 'contract', ['subscription_number', 'product', 'quantity', 'mrr'], 'subscription_number')],
      ),
    ),
    l(
      'crm',
      'subscription_default',
      layout(
        'crm.subscription',
        'Subscription Layout',
        ['account', 'status', 'mrr'],
        [
          ['Subscription', 2, ['subscription_number', 'account', 'product', 'contract', 'status']],
          ['Pricing', 2, ['quantity', 'unit_price', 'mrr', 'billing_frequency']],
          ['Dates', 2, ['start_date', 'end_date']],
        ],
      ),
    ),
    l(
      'help_desk',
      'case_default',
      layout(
        'help_desk.case',
        'Case Layout',
        ['status', 'priority', 'account', 'owner'],
        [
          ['Case Information', 2, ['case_number', 'subject', 'status', 'priority', 'origin', 'case_reason', 'product', 'escalated']],
          ['Customer', 2, ['account', 'contact']],
          ['Description', 1, ['description']],
          ['Service Levels', 2, ['first_response_at', 'closed_at', 'reopened_count', 'csat_score']],
        ],
        [related('help_desk.case_comment', 'case', ['body', 'is_public', 'author'], '-$created_at')],
      ),
    ),
    l(
      'help_desk',
      'knowledge_article_default',
      layout(
        'help_desk.knowledge_article',
        'Article Layout',
        ['status', 'language', 'published_at'],
        [
          ['Article', 1, ['title', 'url_name', 'summary', 'body']],
          ['Publishing', 2, ['status', 'visibility', 'language', 'published_at', 'helpful_votes']],
        ],
      ),
    ),
    l(
      'cpq',
      'product_default',
      layout(
        'cpq.product',
        'Product Layout',
        ['product_code', 'family', 'list_price'],
        [
          ['Product', 2, ['name', 'product_code', 'family', 'unit_of_measure', 'is_active', 'taxable']],
          ['Pricing', 2, ['list_price', 'cost']],
          ['Description', 1, ['description']],
        ],
        [related('cpq.price_book_entry', 'product', ['price_book', 'unit_price', 'min_quantity'], 'price_book')],
      ),
    ),
    l(
      'cpq',
      'price_book_default',
      layout(
        'cpq.price_book',
        'Price Book Layout',
        ['currency', 'is_standard', 'is_active'],
        [['Price Book', 2, ['name', 'currency', 'is_standard', 'is_active', 'valid_from', 'valid_to', 'description']]],
        [related('cpq.price_book_entry', 'price_book', ['product', 'unit_price', 'min_quantity', 'is_active'], 'product')],
      ),
    ),
    l(
      'cpq',
      'quote_default',
      layout(
        'cpq.quote',
        'Quote Layout',
        ['status', 'total', 'expiration_date'],
        [
          [
            'Quote',
            2,
            ['quote_number', 'opportunity', 'account', 'prepared_for', 'price_book', 'status', 'expiration_date', 'payment_terms'],
          ],
          ['Totals', 2, ['subtotal', 'discount_percent', 'total']],
        ],
        [related('cpq.quote_line_item', 'quote', ['product', 'quantity', 'unit_price', 'discount_percent', 'line_total'], 'sort_order')],
      ),
    ),
  ];
}

function acmeFlows(): Item[] {
  const flow = (namespace: string, name: string, payload: JsonObject, extra: Partial<Item> = {}): Item => ({
    type: 'flow',
    namespace,
    name,
    tags: [namespace, 'automation'],
    payload: { apiVersion: 2, ...payload },
    ...extra,
  });
  return [
    flow(
      'help_desk',
      'case_auto_assignment',
      { settings: { defaultQueue: 'tier_1_support' } },
      { extends: 'case_auto_assignment', mergeStrategy: 'merge' },
    ),
    flow('crm', 'lead_routing', {
      label: 'Lead Routing',
      description: 'Routes each new lead to the sales development queue of its region; large companies go straight to enterprise sales.',
      trigger: { type: 'record_created', object: 'crm.lead' },
      steps: [
        {
          id: 'by_size',
          type: 'decision',
          outcomes: [{ label: 'Enterprise', when: "company_size IN ('201_1000', '1001_plus')", next: 'to_enterprise' }],
          defaultNext: 'by_region',
        },
        { id: 'to_enterprise', type: 'assign', queue: 'enterprise_sales' },
        {
          id: 'by_region',
          type: 'decision',
          outcomes: [
            { label: 'EMEA', when: "$record.country IN ('GB', 'FR', 'DE', 'NL', 'SE', 'PL')", next: 'to_emea' },
            { label: 'APAC', when: "$record.country IN ('JP', 'AU', 'SG', 'IN')", next: 'to_apac' },
          ],
          defaultNext: 'to_americas',
        },
        { id: 'to_emea', type: 'assign', queue: 'sdr_emea' },
        { id: 'to_apac', type: 'assign', queue: 'sdr_apac' },
        { id: 'to_americas', type: 'assign', queue: 'sdr_americas' },
      ],
    }),
    flow('crm', 'opportunity_closed_won', {
      label: 'Closed Won: Start Onboarding 🚀',
      description: 'When a deal is won, creates the subscription and tells Customer Success, so onboarding starts the same day. 🎉',
      trigger: {
        type: 'record_updated',
        object: 'crm.opportunity',
        condition: { field: 'stage', operator: 'changed_to', value: 'closed_won' },
      },
      steps: [
        {
          id: 'create_subscription',
          type: 'create_record',
          object: 'crm.subscription',
          values: { account: '$record.account', product: '$record.primary_quote.product', status: 'active', start_date: '$today' },
          next: 'notify_success',
        },
        {
          id: 'notify_success',
          type: 'notify',
          channel: 'slack',
          recipients: ['#customer-success'],
          message:
            '🎉 {{record.account.name}} signed: {{record.amount | currency}}. Onboarding owner: {{record.account.success_manager.full_name}}.',
          next: 'welcome_email',
        },
        { id: 'welcome_email', type: 'send_email', template: 'crm.welcome_new_customer', to: '$record.primary_quote.prepared_for.email' },
      ],
    }),
    flow('crm', 'account_health_score', {
      label: 'Nightly Health Score',
      description: 'Recomputes every customer’s health score from product usage, open critical cases and payment status.',
      trigger: { type: 'schedule', cron: '15 2 * * *', timezone: 'America/New_York' },
      steps: [
        {
          id: 'fetch_usage',
          type: 'http_request',
          method: 'GET',
          url: 'https://usage.internal.acme.example/v1/accounts/{{record.account_number}}/usage',
          timeoutMs: 5000,
          retries: 2,
          next: 'score',
        },
        {
          id: 'score',
          type: 'update_record',
          target: '$record',
          values: {
            health_score: 'ROUND(0.5 * $fetch_usage.active_ratio * 100 + 0.3 * (100 - 20 * open_critical_cases) + 0.2 * payment_score, 0)',
          },
        },
      ],
      settings: { batchSize: 200, recordFilter: { field: 'type', operator: 'equals', value: 'customer' } },
    }),
    flow('crm', 'renewal_reminder', {
      label: 'Renewal Reminder',
      description: 'Ninety days before a contract ends, opens a renewal opportunity and e-mails the account owner.',
      trigger: { type: 'schedule', cron: '0 7 * * 1-5', timezone: 'America/New_York' },
      steps: [
        {
          id: 'find_contracts',
          type: 'query',
          object: 'crm.contract',
          filters: [
            { field: 'status', operator: 'equals', value: 'activated' },
            { field: 'end_date', operator: 'equals_days_from_today', value: 90 },
          ],
          next: 'each_contract',
        },
        {
          id: 'each_contract',
          type: 'loop',
          collection: '$find_contracts.records',
          steps: [
            {
              id: 'open_renewal',
              type: 'create_record',
              object: 'crm.opportunity',
              values: {
                name: 'Renewal – {{item.account.name}}',
                account: '$item.account',
                type: 'renewal',
                stage: 'qualification',
                close_date: '$item.end_date',
              },
            },
            { id: 'tell_owner', type: 'send_email', template: 'crm.renewal_due', to: '$item.owner.email' },
          ],
        },
      ],
    }),
    flow(
      'crm',
      'renewal_reminder_v2',
      {
        label: 'Renewal Reminder (v2, in design)',
        description: 'Adds a 30-day second reminder and a Slack nudge; not yet active.',
        trigger: { type: 'schedule', cron: '0 7 * * 1-5', timezone: 'America/New_York' },
        steps: [
          {
            id: 'find_contracts',
            type: 'query',
            object: 'crm.contract',
            filters: [
              { field: 'status', operator: 'equals', value: 'activated' },
              { field: 'end_date', operator: 'equals_days_from_today', value: [90, 30] },
            ],
            next: 'nudge',
          },
          {
            id: 'nudge',
            type: 'notify',
            channel: 'slack',
            recipients: ['$item.owner'],
            message: 'Renewal for {{item.account.name}} is due on {{item.end_date}}.',
          },
        ],
      },
      { state: 'draft' },
    ),
    flow('help_desk', 'case_escalation', {
      label: 'Escalate Unanswered Critical Cases',
      description: 'A critical case without a first response after 30 minutes is escalated to tier 2 and the support manager is paged.',
      trigger: {
        type: 'record_created',
        object: 'help_desk.case',
        condition: { field: 'priority', operator: 'equals', value: 'critical' },
      },
      steps: [
        {
          id: 'wait_for_response',
          type: 'wait',
          durationMinutes: 30,
          resumeWhen: 'first_response_at IS NOT NULL',
          next: 'still_unanswered',
        },
        {
          id: 'still_unanswered',
          type: 'decision',
          outcomes: [{ label: 'No response yet', when: 'first_response_at IS NULL', next: 'escalate' }],
          defaultNext: null,
        },
        { id: 'escalate', type: 'update_record', target: '$record', values: { escalated: true, status: 'escalated' }, next: 'to_tier_2' },
        { id: 'to_tier_2', type: 'assign', queue: 'tier_2_support', next: 'page_manager' },
        {
          id: 'page_manager',
          type: 'notify',
          channel: 'pager',
          recipients: ['$role:support_manager'],
          message: 'Critical case {{record.case_number}} ({{record.account.name}}) unanswered for 30 min.',
        },
      ],
    }),
    flow('help_desk', 'csat_survey', {
      label: 'Send Satisfaction Survey',
      description: 'One day after a case closes, asks the contact how we did.',
      trigger: {
        type: 'record_updated',
        object: 'help_desk.case',
        condition: { field: 'status', operator: 'changed_to', value: 'closed' },
      },
      steps: [
        { id: 'wait_a_day', type: 'wait', durationMinutes: 1440, next: 'send_survey' },
        { id: 'send_survey', type: 'send_email', template: 'help_desk.case_closed', to: '$record.contact.email' },
      ],
    }),
    flow('help_desk', 'web_to_case', {
      label: 'Web Form to Case',
      description: 'Creates a case from the support form on acme.example/support, matching the contact by e-mail.',
      trigger: { type: 'webhook', path: '/hooks/support-form', method: 'POST', maxBodyBytes: 65536 },
      steps: [
        {
          id: 'find_contact',
          type: 'query',
          object: 'crm.contact',
          filters: [{ field: 'email', operator: 'equals', value: '$input.email' }],
          limit: 1,
          next: 'create_case',
        },
        {
          id: 'create_case',
          type: 'create_record',
          object: 'help_desk.case',
          values: {
            subject: '$input.subject',
            description: '$input.message',
            origin: 'web',
            contact: '$find_contact.records[0]',
            account: '$find_contact.records[0].account',
          },
          next: 'acknowledge',
        },
        { id: 'acknowledge', type: 'send_email', template: 'help_desk.case_created_ack', to: '$input.email' },
      ],
    }),
    flow('cpq', 'quote_approval', {
      label: 'Quote Discount Approval',
      description: 'Quotes with a header discount above 20 % need the sales manager; above 30 %, the CFO as well.',
      trigger: {
        type: 'record_updated',
        object: 'cpq.quote',
        condition: { field: 'status', operator: 'changed_to', value: 'needs_review' },
      },
      steps: [
        {
          id: 'how_much',
          type: 'decision',
          outcomes: [
            { label: 'Over 30 %', when: 'discount_percent > 30', next: 'manager_then_cfo' },
            { label: 'Over 20 %', when: 'discount_percent > 20', next: 'manager_only' },
          ],
          defaultNext: 'auto_approve',
        },
        {
          id: 'manager_then_cfo',
          type: 'approval',
          approvers: ['$record.owner.manager', '$role:cfo'],
          mode: 'sequential',
          timeoutHours: 48,
          next: 'approved',
        },
        { id: 'manager_only', type: 'approval', approvers: ['$record.owner.manager'], mode: 'any', timeoutHours: 24, next: 'approved' },
        { id: 'auto_approve', type: 'update_record', target: '$record', values: { status: 'approved' } },
        { id: 'approved', type: 'update_record', target: '$record', values: { status: 'approved' } },
      ],
    }),
  ];
}

function acmePermissionSets(): Item[] {
  const ps = (namespace: string, name: string, payload: JsonObject, extra: Partial<Item> = {}): Item => ({
    type: 'permission_set',
    namespace,
    name,
    tags: [namespace, 'security'],
    payload,
    ...extra,
  });
  return [
    ps('crm', 'sales_rep', {
      label: 'Sales Rep',
      description: 'Works own leads, accounts and opportunities; reads products and price books.',
      objects: {
        'crm.account': crud('rce'),
        'crm.contact': crud('rce'),
        'crm.lead': crud('rced'),
        'crm.opportunity': crud('rce'),
        'crm.contract': crud('r'),
        'cpq.product': crud('r'),
        'cpq.price_book': crud('r'),
        'cpq.quote': crud('rce'),
        'cpq.quote_line_item': crud('rced'),
      },
      fields: { 'crm.account.arr': { read: true, edit: false }, 'crm.opportunity.discount_percent': { read: true, edit: true } },
      systemPermissions: ['run_reports', 'convert_leads'],
    }),
    ps('crm', 'sales_manager', {
      label: 'Sales Manager',
      description: "Everything a sales rep can do, over the whole team's records, plus approving discounts.",
      objects: {
        'crm.account': crud('rcev'),
        'crm.contact': crud('rcev'),
        'crm.lead': crud('rcedv'),
        'crm.opportunity': crud('rcedv'),
        'crm.contract': crud('rce'),
        'cpq.quote': crud('rcev'),
        'cpq.quote_line_item': crud('rced'),
      },
      systemPermissions: ['run_reports', 'convert_leads', 'approve_discounts', 'manage_forecasts'],
    }),
    ps('crm', 'marketing_user', {
      label: 'Marketing',
      description: 'Runs campaigns and imports leads.',
      objects: { 'crm.campaign': crud('rced'), 'crm.lead': crud('rcev'), 'crm.contact': crud('rv') },
      fields: { 'crm.contact.gdpr_consent': { read: true, edit: true } },
      systemPermissions: ['run_reports', 'import_leads', 'send_mass_email'],
    }),
    ps('crm', 'customer_success', {
      label: 'Customer Success Manager',
      description: 'Owns renewals and account health.',
      objects: {
        'crm.account': crud('rev'),
        'crm.contact': crud('rce'),
        'crm.subscription': crud('rv'),
        'crm.contract': crud('rv'),
        'crm.opportunity': crud('rce'),
        'help_desk.case': crud('rv'),
      },
      fields: { 'crm.account.health_score': { read: true, edit: true } },
      systemPermissions: ['run_reports'],
    }),
    ps(
      'crm',
      'contractor_2023',
      {
        label: 'Contractor (2023 migration)',
        description: 'Temporary access for the data-migration contractors; retired when the migration ended.',
        objects: { 'crm.account': crud('rce'), 'crm.contact': crud('rce'), 'crm.lead': crud('rce') },
        systemPermissions: ['import_leads'],
        expiresOn: '2023-12-31',
      },
      { state: 'archived' },
    ),
    ps('help_desk', 'support_agent', {
      label: 'Support Agent',
      description: 'Answers cases and writes draft articles.',
      objects: {
        'help_desk.case': crud('rce'),
        'help_desk.case_comment': crud('rce'),
        'help_desk.knowledge_article': crud('rce'),
        'crm.account': crud('r'),
        'crm.contact': crud('rce'),
      },
      fields: { 'crm.account.arr': { read: false, edit: false } },
      systemPermissions: ['use_macros'],
    }),
    ps('help_desk', 'support_manager', {
      label: 'Support Manager',
      description: 'Manages queues, escalations and the knowledge base.',
      objects: {
        'help_desk.case': crud('rcedvm'),
        'help_desk.case_comment': crud('rcedv'),
        'help_desk.knowledge_article': crud('rcedv'),
        'crm.account': crud('rv'),
        'crm.contact': crud('rcev'),
      },
      systemPermissions: ['use_macros', 'manage_queues', 'publish_articles', 'run_reports'],
    }),
    ps('cpq', 'cpq_admin', {
      label: 'CPQ Administrator',
      description: 'Maintains products, price books and quote templates.',
      objects: {
        'cpq.product': crud('rcedv'),
        'cpq.price_book': crud('rcedv'),
        'cpq.price_book_entry': crud('rcedv'),
        'cpq.quote': crud('rv'),
      },
      systemPermissions: ['run_reports', 'manage_price_books'],
    }),
    ps('core', 'integration_user', {
      label: 'Integration (API only)',
      description: 'For the billing and usage integrations: API access, no user interface.',
      objects: { 'crm.account': crud('rev'), 'crm.subscription': crud('rcev'), 'cpq.product': crud('r') },
      systemPermissions: ['api_only'],
      ipAllowList: ['10.20.0.0/16', '192.0.2.10/32'],
      sessionTimeoutMinutes: 15,
    }),
  ];
}

function acmeSupportSetup(): Item[] {
  return [
    {
      type: 'value_set',
      namespace: 'crm',
      name: 'industry',
      tags: ['crm'],
      payload: {
        label: 'Industry',
        sorted: true,
        restricted: true,
        values: opts(
          'education',
          'financial_services',
          'government',
          'healthcare',
          'manufacturing',
          'media',
          'nonprofit',
          'professional_services',
          'retail',
          'technology',
          'other',
        ),
      },
    },
    {
      type: 'value_set',
      namespace: 'crm',
      name: 'lead_source',
      tags: ['crm', 'marketing'],
      payload: {
        label: 'Lead Source',
        sorted: false,
        restricted: true,
        values: [
          { value: 'web', label: 'Website', default: true },
          { value: 'free_trial', label: 'Free Trial' },
          { value: 'webinar', label: 'Webinar' },
          { value: 'event', label: 'Event / Trade Show' },
          { value: 'partner', label: 'Partner Referral' },
          { value: 'customer_referral', label: 'Customer Referral' },
          { value: 'outbound', label: 'Outbound (SDR)' },
          { value: 'paid_search', label: 'Paid Search' },
        ],
      },
    },
    {
      type: 'value_set',
      namespace: 'crm',
      name: 'region',
      tags: ['crm'],
      payload: {
        label: 'Sales Region',
        sorted: false,
        restricted: true,
        values: [
          { value: 'na_east', label: 'North America – East', color: '#1f77b4' },
          { value: 'na_west', label: 'North America – West', color: '#aec7e8' },
          { value: 'latam', label: 'Latin America (São Paulo office)', color: '#2ca02c' },
          { value: 'emea', label: 'EMEA', color: '#ff7f0e' },
          { value: 'apac', label: 'APAC', color: '#d62728' },
        ],
      },
    },
    {
      type: 'value_set',
      namespace: 'help_desk',
      name: 'case_reason',
      tags: ['help_desk'],
      payload: {
        label: 'Case Reason',
        sorted: true,
        restricted: false,
        values: opts('how_to', 'bug', 'outage', 'billing', 'feature_request', ['sso_login', 'SSO / Login'], ['data_import', 'Data Import']),
      },
    },
    {
      type: 'value_set',
      namespace: 'cpq',
      name: 'product_family',
      tags: ['cpq'],
      payload: {
        label: 'Product Family',
        sorted: false,
        restricted: true,
        values: opts('platform', 'add_on', 'support_plan', ['professional_services', 'Professional Services'], 'training'),
      },
    },
    {
      type: 'sla_policy',
      namespace: 'help_desk',
      name: 'standard_support',
      tags: ['help_desk', 'sla'],
      payload: {
        label: 'Standard Support',
        businessHours: { timezone: 'America/New_York', days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '09:00', end: '17:00' },
        holidays: 'us_federal',
        targets: [
          { priority: 'critical', firstResponseMinutes: 60, resolutionMinutes: 480 },
          { priority: 'high', firstResponseMinutes: 240, resolutionMinutes: 1440 },
          { priority: 'medium', firstResponseMinutes: 480, resolutionMinutes: 4320 },
          { priority: 'low', firstResponseMinutes: 1440, resolutionMinutes: 10080 },
        ],
        pauseOnStatuses: ['waiting_on_customer'],
        escalation: { notifyBeforeBreachMinutes: 30, notify: ['$record.owner', '$role:support_manager'] },
      },
    },
    {
      type: 'sla_policy',
      namespace: 'help_desk',
      name: 'premium_support',
      tags: ['help_desk', 'sla'],
      payload: {
        label: 'Premium Support (24×7)',
        businessHours: { timezone: 'UTC', days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'], start: '00:00', end: '24:00' },
        targets: [
          { priority: 'critical', firstResponseMinutes: 15, resolutionMinutes: 240 },
          { priority: 'high', firstResponseMinutes: 60, resolutionMinutes: 720 },
          { priority: 'medium', firstResponseMinutes: 240, resolutionMinutes: 2880 },
          { priority: 'low', firstResponseMinutes: 480, resolutionMinutes: 5760 },
        ],
        pauseOnStatuses: ['waiting_on_customer'],
        escalation: { notifyBeforeBreachMinutes: 10, notify: ['$role:support_manager', '#support-escalations'] },
        creditOnBreachPercent: 2.5,
      },
    },
    {
      type: 'queue',
      namespace: 'help_desk',
      name: 'tier_1_support',
      tags: ['help_desk', 'routing'],
      payload: {
        label: 'Tier 1 Support',
        objects: ['help_desk.case'],
        members: { permissionSets: ['help_desk.support_agent'] },
        routing: 'round_robin',
        maxOpenPerAgent: 12,
        email: 'support@acme.example',
      },
    },
    {
      type: 'queue',
      namespace: 'help_desk',
      name: 'tier_2_support',
      tags: ['help_desk', 'routing'],
      payload: {
        label: 'Tier 2 Support (Engineering)',
        objects: ['help_desk.case'],
        members: { users: ['raj.patel@acme', 'mei.tanaka@acme', 'oscar.nunez@acme'] },
        routing: 'least_active',
        maxOpenPerAgent: 6,
      },
    },
    {
      type: 'queue',
      namespace: 'crm',
      name: 'lead_intake',
      tags: ['crm', 'routing'],
      payload: {
        label: 'Lead Intake',
        objects: ['crm.lead'],
        members: { permissionSets: ['crm.sales_rep'] },
        routing: 'manual',
        reassignAfterHours: 24,
      },
    },
    {
      type: 'email_template',
      namespace: 'help_desk',
      name: 'case_created_ack',
      tags: ['help_desk', 'email'],
      payload: {
        label: 'Case Received',
        object: 'help_desk.case',
        locale: 'en_us',
        subject: '[{{record.case_number}}] We received your request',
        bodyFormat: 'markdown',
        body: "Hi {{record.contact.first_name}},\n\nThanks for contacting Acme Support. Your case **{{record.case_number}}** is in our queue and an engineer will reply within {{record.sla.first_response | duration}}.\n\nReply to this e-mail to add details; please don't change the subject line.\n\n— The Acme Support team",
      },
    },
    {
      type: 'email_template',
      namespace: 'help_desk',
      name: 'case_closed',
      tags: ['help_desk', 'email'],
      payload: {
        label: 'Case Closed – How Did We Do?',
        object: 'help_desk.case',
        locale: 'en_us',
        subject: 'How did we do on {{record.case_number}}?',
        bodyFormat: 'markdown',
        body: 'Hi {{record.contact.first_name}},\n\nWe closed case **{{record.case_number}}** ("{{record.subject}}"). How satisfied are you with the help you got?\n\n[😞 1]({{survey_url}}?score=1) · [2]({{survey_url}}?score=2) · [3]({{survey_url}}?score=3) · [4]({{survey_url}}?score=4) · [😀 5]({{survey_url}}?score=5)',
      },
    },
    {
      type: 'email_template',
      namespace: 'crm',
      name: 'welcome_new_customer',
      tags: ['crm', 'email'],
      payload: {
        label: 'Welcome Aboard 🎉',
        object: 'crm.opportunity',
        locale: 'en_us',
        subject: 'Welcome to Acme, {{record.account.name}}!',
        bodyFormat: 'html',
        body: '<p>Hi {{recipient.first_name}},</p><p>Welcome aboard! 🎉 Your customer success manager, {{record.account.success_manager.full_name}}, will reach out within one business day to plan your onboarding.</p>',
      },
    },
    {
      type: 'email_template',
      namespace: 'crm',
      name: 'renewal_due',
      tags: ['crm', 'email'],
      payload: {
        label: 'Renewal Due in 90 Days',
        object: 'crm.contract',
        locale: 'en_us',
        subject: 'Renewal due: {{record.account.name}} ({{record.end_date | date: "MMM d, yyyy"}})',
        bodyFormat: 'text',
        body: 'Contract {{record.contract_number}} for {{record.account.name}} ends on {{record.end_date}}. A renewal opportunity has been opened for you.',
      },
    },
  ];
}

/** acme's user-scope customisations: each extends an item of an earlier scope. */
function acmeUserItems(): (Item & { owner: string })[] {
  return [
    {
      owner: 'jane@acme',
      type: 'view',
      namespace: 'crm',
      name: 'all_accounts',
      tags: ['crm'],
      extends: 'all_accounts',
      mergeStrategy: 'merge',
      payload: {
        columns: ['name', 'customer_tier', 'region', 'arr', 'health_score', 'renewal_date', 'owner'],
        sort: sort('-arr'),
        pageSize: 100,
      },
    },
    {
      owner: 'jane@acme',
      type: 'view',
      namespace: 'crm',
      name: 'my_key_accounts',
      tags: ['crm'],
      extends: 'all_accounts',
      mergeStrategy: 'merge',
      payload: {
        label: 'My Key Accounts',
        columns: ['name', 'arr', 'health_score', 'churn_risk', 'renewal_date'],
        filters: filters([
          ['owner', 'equals', '$current_user'],
          ['arr', 'greater_or_equal', 250000],
        ]),
        visibility: 'owner',
      },
    },
    {
      owner: 'jane@acme',
      type: 'view',
      namespace: 'crm',
      name: 'open_opportunities',
      tags: ['crm'],
      extends: 'open_opportunities',
      mergeStrategy: 'merge',
      payload: {
        label: 'My Pipeline',
        columns: ['name', 'account', 'stage', 'amount', 'probability', 'close_date', 'next_step'],
        filters: filters([
          ['stage', 'not_in', ['closed_won', 'closed_lost']],
          ['owner', 'equals', '$current_user'],
        ]),
        sort: sort('close_date', '-amount'),
      },
    },
    {
      owner: 'raj.patel@acme',
      type: 'view',
      namespace: 'help_desk',
      name: 'recently_viewed_cases',
      tags: ['help_desk'],
      extends: 'recently_viewed_cases',
      mergeStrategy: 'merge',
      payload: { columns: ['case_number', 'subject', 'account', 'status', 'priority', 'escalated'], pageSize: 50 },
    },
    {
      owner: 'raj.patel@acme',
      type: 'layout',
      namespace: 'help_desk',
      name: 'case_default',
      tags: ['help_desk'],
      extends: 'case_default',
      mergeStrategy: 'replace',
      payload: layout(
        'help_desk.case',
        'Case Layout (console, compact)',
        ['priority', 'status', 'account'],
        [
          ['Triage', 2, ['subject', 'priority', 'status', 'case_reason', 'product', 'escalated']],
          ['Description', 1, ['description']],
        ],
        [related('help_desk.case_comment', 'case', ['body', 'author'], '-$created_at')],
      ),
    },
    {
      owner: 'sam.okafor@acme',
      type: 'view',
      namespace: 'crm',
      name: 'open_leads',
      tags: ['crm'],
      extends: 'open_leads',
      mergeStrategy: 'merge',
      payload: {
        label: 'My Open Leads',
        filters: filters([
          ['status', 'in', ['open', 'working']],
          ['owner', 'equals', '$current_user'],
        ]),
        pageSize: 200,
      },
    },
    {
      owner: 'sam.okafor@acme',
      type: 'view',
      namespace: 'crm',
      name: 'cold_call_list',
      tags: ['crm'],
      extends: 'all_leads',
      mergeStrategy: 'replace',
      payload: listView('crm.lead', 'Cold-Call List (today)', {
        columns: ['last_name', 'first_name', 'company', 'phone', 'title'],
        filters: [
          ['owner', 'equals', '$current_user'],
          ['phone', 'is_not_null'],
          ['status', 'equals', 'open'],
        ],
        sort: ['company'],
        pageSize: 40,
        visibility: 'owner',
      }),
    },
  ];
}

// ---------------------------------------------------------------------------
// Tenant globex: a French industrial manufacturer (CRM, help desk, field service)
// ---------------------------------------------------------------------------

const GLOBEX_PLANTS = opts(['lyon', 'Lyon (FR)'], ['stuttgart', 'Stuttgart (DE)'], ['krakow', 'Kraków (PL)'], ['zurich', 'Zürich (CH)']);
const INCOTERMS = opts(
  ['exw', 'EXW — Ex Works'],
  ['fca', 'FCA — Free Carrier'],
  ['cpt', 'CPT — Carriage Paid To'],
  ['dap', 'DAP — Delivered at Place'],
  ['ddp', 'DDP — Delivered Duty Paid'],
);
const LANGUAGES = opts(['fr', 'Français'], ['de', 'Deutsch'], ['en', 'English'], ['pl', 'Polski']);

function globexObjects(): Item[] {
  return [
    {
      type: 'object',
      namespace: 'crm',
      name: 'account',
      tags: ['crm', 'core'],
      extends: 'account',
      mergeStrategy: 'merge',
      payload: {
        translations: { fr: { label: 'Compte', pluralLabel: 'Comptes' }, de: { label: 'Konto', pluralLabel: 'Konten' } },
        fields: {
          name: { label: 'Company Name', translations: { fr: 'Raison sociale', de: 'Firmenname' } },
          industry: {
            options: opts(
              'automotive',
              'aerospace',
              'chemicals',
              'energy',
              ['food_beverage', 'Food & Beverage'],
              'machinery',
              'water_utilities',
              'other',
            ),
          },
          legacy_code: { label: 'SAP Customer Number', maxLength: 10, pattern: '^[0-9]{10}$', helpText: null },
          siret: text('SIRET', 14, {
            pattern: '^[0-9]{14}$',
            helpText: 'Numéro SIRET de l’établissement (14 chiffres), for French accounts only.',
          }),
          vat_number: text('VAT Number', 14, { pattern: '^[A-Z]{2}[0-9A-Z]{2,12}$' }),
          legal_form: picklist(
            'Legal Form',
            opts(
              ['sa', 'SA (Société anonyme)'],
              ['sas', 'SAS (Société par actions simplifiée)'],
              ['sarl', 'SARL'],
              ['gmbh', 'GmbH'],
              ['ag', 'AG'],
              ['sp_zoo', 'Sp. z o.o.'],
              ['ltd', 'Ltd'],
              'other',
            ),
          ),
          sales_region: valueSetPicklist('Sales Region', 'crm.sales_region', { required: true }),
          key_account: checkbox('Key Account'),
          currency_code: valueSetPicklist('Currency', 'core.currency', { defaultValue: 'EUR', required: true }),
          credit_limit: currency('Credit Limit', { precision: 16, currencyField: 'currency_code', minValue: 0 }),
          payment_terms_days: number('Payment Terms (days)', 3, 0, { defaultValue: 60, minValue: 0, maxValue: 120 }),
        },
      },
    },
    {
      type: 'object',
      namespace: 'crm',
      name: 'contact',
      tags: ['crm', 'core', 'gdpr'],
      extends: 'contact',
      mergeStrategy: 'merge',
      payload: {
        fields: {
          salutation: {
            options: opts(['m', 'M.'], ['mme', 'Mme'], ['herr', 'Herr'], ['frau', 'Frau'], ['mr', 'Mr.'], ['ms', 'Ms.'], ['dr', 'Dr.']),
          },
          preferred_language: picklist('Preferred Language', LANGUAGES, { defaultValue: 'fr' }),
          gdpr_legal_basis: picklist('GDPR Legal Basis', opts('consent', 'contract', 'legitimate_interest')),
          gdpr_consent_date: date('Consent Date'),
          do_not_call: null,
        },
      },
    },
    {
      type: 'object',
      namespace: 'crm',
      name: 'lead',
      tags: ['crm', 'core'],
      extends: 'lead',
      mergeStrategy: 'merge',
      payload: {
        fields: {
          lead_source: { options: opts('web', 'trade_show', 'distributor', 'referral', 'tender', 'other') },
          trade_show: text('Trade Show', 80, { helpText: 'For example Hannover Messe 2025 or Global Industrie Lyon.' }),
          product_interest: field('multi_picklist', 'Product Interest', { valueSet: 'crm.product_line' }),
          country: picklist(
            'Country',
            opts(
              ['fr', 'France'],
              ['de', 'Deutschland'],
              ['ch', 'Schweiz / Suisse'],
              ['at', 'Österreich'],
              ['pl', 'Polska'],
              ['be', 'Belgique'],
              'other',
            ),
          ),
        },
      },
    },
    {
      type: 'object',
      namespace: 'crm',
      name: 'opportunity',
      tags: ['crm', 'core'],
      extends: 'opportunity',
      mergeStrategy: 'merge',
      payload: {
        fields: {
          currency_code: valueSetPicklist('Currency', 'core.currency', { defaultValue: 'EUR', required: true }),
          amount: { currencyField: 'currency_code' },
          incoterms: picklist('Incoterms® 2020', INCOTERMS, { defaultValue: 'fca' }),
          plant: picklist('Producing Plant', GLOBEX_PLANTS),
          delivery_date: date('Requested Delivery'),
          margin_percent: percent('Gross Margin (%)', { precision: 4, scale: 1, minValue: -100, maxValue: 100 }),
          tender_reference: text('Tender Reference', 60),
        },
      },
    },
    {
      type: 'object',
      namespace: 'crm',
      name: 'product',
      tags: ['crm', 'catalogue'],
      payload: object(
        'Product',
        'Products',
        'cog',
        {
          name: text('Product Name', 255, { required: true, translations: { fr: 'Désignation', de: 'Bezeichnung' } }),
          sku: text('SKU', 24, { unique: true, required: true, pattern: '^GX-[A-Z]{2}-[0-9]{5}$' }),
          product_line: valueSetPicklist('Product Line', 'crm.product_line', { required: true }),
          unit_of_measure: picklist('Unit', opts(['pce', 'Piece'], ['kg', 'Kilogram'], ['m', 'Metre'], ['l', 'Litre'], ['set', 'Set'])),
          weight_kg: number('Net Weight (kg)', 10, 3, { minValue: 0 }),
          currency_code: valueSetPicklist('Currency', 'core.currency', { defaultValue: 'EUR' }),
          list_price: currency('List Price', { currencyField: 'currency_code', minValue: 0 }),
          hs_code: text('HS Code', 10, { pattern: '^[0-9]{6,10}$', helpText: 'Harmonised System tariff code, for customs declarations.' }),
          lead_time_days: number('Lead Time (days)', 4, 0, { minValue: 0 }),
          is_active: checkbox('Active', true),
        },
        { sharingModel: 'read', translations: { fr: { label: 'Article', pluralLabel: 'Articles' } } },
      ),
    },
    {
      type: 'object',
      namespace: 'crm',
      name: 'order',
      tags: ['crm', 'erp'],
      payload: object('Sales Order', 'Sales Orders', 'truck', {
        order_number: autoNumber('Order Number', 'ORD-{YYYY}-{000000}'),
        account: lookup('Account', 'crm.account', { required: true, onDelete: 'restrict' }),
        opportunity: lookup('Opportunity', 'crm.opportunity'),
        status: picklist('Status', opts('draft', 'confirmed', 'in_production', 'shipped', 'delivered', 'invoiced', 'cancelled'), {
          defaultValue: 'draft',
          restricted: true,
        }),
        order_date: date('Order Date', { required: true }),
        requested_delivery_date: date('Requested Delivery'),
        plant: picklist('Plant', GLOBEX_PLANTS),
        incoterms: picklist('Incoterms® 2020', INCOTERMS),
        currency_code: valueSetPicklist('Currency', 'core.currency', { required: true, defaultValue: 'EUR' }),
        total_amount: field('rollup', 'Total', { object: 'crm.order_line', field: 'line_total', function: 'sum', scale: 2 }),
        ship_to_address: address('Ship-To Address'),
        erp_document: text('SAP Document', 10, { readOnly: true }),
        owner: owner(),
      }),
    },
    {
      type: 'object',
      namespace: 'crm',
      name: 'order_line',
      tags: ['crm', 'erp'],
      payload: object(
        'Order Line',
        'Order Lines',
        'list',
        {
          order: masterDetail('Order', 'crm.order'),
          position: number('Position', 4, 0, { required: true }),
          product: lookup('Product', 'crm.product', { required: true, onDelete: 'restrict' }),
          quantity: number('Quantity', 12, 3, { minValue: 0.001, required: true }),
          unit_price: currency('Unit Price', { scale: 4, required: true }),
          discount_percent: percent('Discount (%)', { minValue: 0, maxValue: 100 }),
          line_total: formula('Line Total', 'currency', 'ROUND(quantity * unit_price * (1 - discount_percent / 100), 2)', { scale: 2 }),
        },
        { nameField: 'position', sharingModel: 'controlled_by_parent', features: { history: false, search: false, activities: false } },
      ),
    },
    {
      type: 'object',
      namespace: 'help_desk',
      name: 'ticket',
      tags: ['help_desk'],
      payload: object(
        'Ticket',
        'Tickets',
        'ticket',
        {
          ticket_number: autoNumber('Ticket', 'TK-{000000}', 100000),
          subject: text('Subject', 255, { required: true, translations: { fr: 'Objet', de: 'Betreff' } }),
          description: longText('Description'),
          status: picklist('Status', opts('open', 'pending', 'on_hold', 'solved', 'closed'), { defaultValue: 'open', restricted: true }),
          priority: picklist('Priority', opts(['p1', 'P1 — Critical'], ['p2', 'P2 — High'], ['p3', 'P3 — Normal'], ['p4', 'P4 — Low']), {
            defaultValue: 'p3',
            required: true,
          }),
          category: valueSetPicklist('Category', 'help_desk.ticket_category'),
          channel: picklist('Channel', opts('email', 'portal', 'phone', 'chat')),
          language: picklist('Language', LANGUAGES, { defaultValue: 'fr' }),
          account: lookup('Account', 'crm.account'),
          contact: lookup('Requester', 'crm.contact'),
          asset: lookup('Asset', 'field_service.asset'),
          assignee: lookup('Assignee', 'core.user'),
          due_at: datetime('Due'),
          solved_at: datetime('Solved', { readOnly: true }),
          satisfaction: picklist('Satisfaction', opts('unoffered', 'offered', 'good', 'bad'), {
            defaultValue: 'unoffered',
            readOnly: true,
          }),
        },
        { nameField: 'ticket_number', features: { history: true, search: true, activities: true } },
      ),
    },
    {
      type: 'object',
      namespace: 'help_desk',
      name: 'ticket_comment',
      tags: ['help_desk'],
      payload: object(
        'Ticket Comment',
        'Ticket Comments',
        'comment',
        {
          ticket: masterDetail('Ticket', 'help_desk.ticket'),
          body: longText('Comment', 65535, { required: true }),
          is_public: checkbox('Public Reply', true),
          author: lookup('Author', 'core.user', { readOnly: true }),
          via: picklist('Via', opts('web', 'email', 'api', 'mobile_app')),
        },
        { sharingModel: 'controlled_by_parent', features: { history: false, search: true, activities: false } },
      ),
    },
    {
      type: 'object',
      namespace: 'help_desk',
      name: 'knowledge_article',
      tags: ['help_desk', 'knowledge'],
      payload: object(
        'Knowledge Article',
        'Knowledge Articles',
        'book',
        {
          title: text('Title', 255, { required: true }),
          body: richText('Body'),
          language: picklist('Language', LANGUAGES, { required: true }),
          product_line: valueSetPicklist('Product Line', 'crm.product_line'),
          status: picklist('Status', opts('draft', 'published', 'archived'), { defaultValue: 'draft' }),
          internal_only: checkbox('Internal Only'),
        },
        { sharingModel: 'read' },
      ),
    },
    {
      type: 'object',
      namespace: 'field_service',
      name: 'work_order',
      tags: ['field_service'],
      payload: object('Work Order', 'Work Orders', 'wrench', {
        work_order_number: autoNumber('Work Order', 'WO-{000000}'),
        account: lookup('Account', 'crm.account', { required: true, onDelete: 'restrict' }),
        asset: lookup('Asset', 'field_service.asset'),
        ticket: lookup('Ticket', 'help_desk.ticket'),
        service_contract: lookup('Service Contract', 'field_service.service_contract'),
        type: picklist('Type', opts('installation', 'preventive_maintenance', 'repair', 'inspection', 'decommissioning'), {
          required: true,
        }),
        status: picklist('Status', opts('new', 'scheduled', 'dispatched', 'in_progress', 'completed', 'cancelled'), {
          defaultValue: 'new',
        }),
        priority: picklist('Priority', opts('low', 'normal', 'high', 'emergency'), { defaultValue: 'normal' }),
        required_skills: field('multi_picklist', 'Required Skills', { valueSet: 'field_service.skill' }),
        technician: lookup('Technician', 'core.user'),
        scheduled_start: datetime('Scheduled Start'),
        scheduled_end: datetime('Scheduled End'),
        duration_hours: number('Duration (h)', 5, 2, { minValue: 0 }),
        travel_km: number('Travel (km)', 7, 1, { minValue: 0 }),
        signature_required: checkbox('Customer Signature Required', true),
        report: longText('Technician Report', 10000),
      }),
    },
    {
      type: 'object',
      namespace: 'field_service',
      name: 'asset',
      tags: ['field_service'],
      payload: object('Installed Asset', 'Installed Assets', 'industry', {
        name: text('Asset Name', 255, { required: true }),
        serial_number: text('Serial Number', 40, { unique: true, required: true }),
        product: lookup('Product', 'crm.product', { required: true, onDelete: 'restrict' }),
        account: lookup('Account', 'crm.account', { required: true, onDelete: 'restrict' }),
        parent_asset: lookup('Part Of', 'field_service.asset'),
        status: picklist('Status', opts('installed', 'in_repair', 'decommissioned'), { defaultValue: 'installed' }),
        install_date: date('Installed On'),
        warranty_end_date: date('Warranty Ends'),
        operating_hours: number('Operating Hours', 9, 0, { minValue: 0 }),
        location: address('Site'),
        gps: field('geolocation', 'GPS Position', { scale: 6 }),
      }),
    },
    {
      type: 'object',
      namespace: 'field_service',
      name: 'service_contract',
      tags: ['field_service'],
      payload: object('Service Contract', 'Service Contracts', 'file_contract', {
        contract_number: autoNumber('Contract', 'SC-{000000}'),
        account: lookup('Account', 'crm.account', { required: true, onDelete: 'restrict' }),
        sla_policy: picklist('SLA', opts(['standard', 'Standard'], ['premium_24_7', 'Premium 24/7'], ['on_site_response', 'On-site 8 h'])),
        start_date: date('Start', { required: true }),
        end_date: date('End', { required: true }),
        visits_per_year: number('Preventive Visits / Year', 2, 0, { minValue: 0, maxValue: 52 }),
        response_time_hours: number('On-site Response (h)', 4, 1, { minValue: 0.5 }),
        currency_code: valueSetPicklist('Currency', 'core.currency', { defaultValue: 'EUR' }),
        annual_fee: currency('Annual Fee', { currencyField: 'currency_code', minValue: 0 }),
        owner: owner(),
      }),
    },
  ];
}

function globexViews(): Item[] {
  const v = (namespace: string, name: string, payload: JsonObject, extra: Partial<Item> = {}): Item => ({
    type: 'view',
    namespace,
    name,
    tags: [namespace],
    payload,
    ...extra,
  });
  const open: Filter = ['stage', 'not_in', ['closed_won', 'closed_lost']];
  return [
    v(
      'crm',
      'all_accounts',
      { label: 'All Accounts / Tous les comptes', columns: ['name', 'sales_region', 'industry', 'key_account', 'owner'], pageSize: 100 },
      { extends: 'all_accounts', mergeStrategy: 'merge' },
    ),
    v(
      'crm',
      'key_accounts',
      listView('crm.account', 'Key Accounts', {
        columns: ['name', 'sales_region', 'credit_limit', 'currency_code', 'owner'],
        filters: [['key_account', 'equals', true]],
        sort: ['sales_region', 'name'],
      }),
    ),
    v(
      'crm',
      'accounts_over_credit_limit',
      listView('crm.account', 'Over Credit Limit', {
        description: 'Open order value above the credit limit; finance reviews these before production starts.',
        columns: ['name', 'credit_limit', '$open_order_total', 'payment_terms_days', 'owner'],
        filters: [['$open_order_total', 'greater_than_field', 'credit_limit']],
        sort: ['-$open_order_total'],
        visibility: { permissionSets: ['finance_controller', 'key_account_manager'] },
      }),
    ),
    v(
      'crm',
      'all_contacts',
      listView('crm.contact', 'All Contacts', {
        columns: ['full_name', 'account', 'title', 'email', 'preferred_language'],
        sort: ['last_name'],
      }),
    ),
    v(
      'crm',
      'contacts_without_legal_basis',
      listView('crm.contact', 'Contacts Without a GDPR Legal Basis', {
        columns: ['full_name', 'account', 'email', 'owner'],
        filters: [['gdpr_legal_basis', 'is_null']],
        sort: ['account'],
        pageSize: 200,
      }),
      { tags: ['crm', 'gdpr'] },
    ),
    v(
      'crm',
      'all_leads',
      listView('crm.lead', 'All Leads', { columns: ['last_name', 'company', 'country', 'status', 'owner'], sort: ['-$created_at'] }),
    ),
    v(
      'crm',
      'trade_show_leads',
      listView('crm.lead', 'Trade Show Leads', {
        columns: ['last_name', 'company', 'trade_show', 'product_interest', 'rating'],
        filters: [
          ['lead_source', 'equals', 'trade_show'],
          ['$created_at', 'within_last_days', 60],
        ],
        sort: ['trade_show', 'company'],
      }),
    ),
    v(
      'crm',
      'open_opportunities',
      listView('crm.opportunity', 'Open Opportunities', {
        columns: ['name', 'account', 'stage', 'amount', 'currency_code', 'plant', 'close_date'],
        filters: [open],
        sort: ['close_date'],
      }),
    ),
    v(
      'crm',
      'won_opportunities',
      listView('crm.opportunity', 'Won This Year', {
        columns: ['name', 'account', 'amount', 'currency_code', 'margin_percent', 'close_date'],
        filters: [
          ['stage', 'equals', 'closed_won'],
          ['close_date', 'in_period', 'this_fiscal_year'],
        ],
        sort: ['-close_date'],
      }),
    ),
    v(
      'crm',
      'tenders',
      listView('crm.opportunity', 'Public Tenders (Appels d’offres)', {
        columns: ['name', 'account', 'tender_reference', 'amount', 'close_date'],
        filters: [open, ['tender_reference', 'is_not_null']],
        sort: ['close_date'],
      }),
    ),
    v(
      'crm',
      'old_pipeline',
      listView('crm.opportunity', 'Pipeline (2022 layout)', {
        description: 'Superseded by Open Opportunities; still linked from the weekly sales e-mail.',
        columns: ['name', 'account', 'stage', 'amount'],
        filters: [open],
        sort: ['-amount'],
      }),
      { state: 'deprecated' },
    ),
    v(
      'crm',
      'active_products',
      listView('crm.product', 'Active Products', {
        columns: ['sku', 'name', 'product_line', 'list_price', 'lead_time_days'],
        filters: [['is_active', 'equals', true]],
        sort: ['product_line', 'sku'],
        pageSize: 200,
      }),
    ),
    v(
      'crm',
      'open_orders',
      listView('crm.order', 'Open Orders', {
        columns: ['order_number', 'account', 'status', 'plant', 'requested_delivery_date', 'total_amount'],
        filters: [['status', 'in', ['confirmed', 'in_production', 'shipped']]],
        sort: ['requested_delivery_date'],
      }),
    ),
    v(
      'crm',
      'orders_to_invoice',
      listView('crm.order', 'Delivered, Not Invoiced', {
        columns: ['order_number', 'account', 'total_amount', 'currency_code', 'erp_document'],
        filters: [['status', 'equals', 'delivered']],
        sort: ['order_number'],
        visibility: { permissionSets: ['finance_controller'] },
      }),
    ),
    v(
      'help_desk',
      'all_tickets',
      listView('help_desk.ticket', 'All Tickets', {
        columns: ['ticket_number', 'subject', 'account', 'status', 'priority', 'assignee'],
        sort: ['-$created_at'],
      }),
    ),
    v(
      'help_desk',
      'my_open_tickets',
      listView('help_desk.ticket', 'My Open Tickets', {
        columns: ['ticket_number', 'subject', 'priority', 'status', 'due_at'],
        filters: [
          ['assignee', 'equals', '$current_user'],
          ['status', 'in', ['open', 'pending', 'on_hold']],
        ],
        sort: ['due_at'],
      }),
    ),
    v(
      'help_desk',
      'escalated_tickets',
      listView('help_desk.ticket', 'P1 / P2 Tickets', {
        columns: ['ticket_number', 'subject', 'account', 'priority', 'assignee', 'due_at'],
        filters: [
          ['priority', 'in', ['p1', 'p2']],
          ['status', 'not_in', ['solved', 'closed']],
        ],
        sort: ['priority', 'due_at'],
      }),
    ),
    v(
      'help_desk',
      'unassigned_tickets',
      listView('help_desk.ticket', 'Unassigned', {
        columns: ['ticket_number', 'subject', 'language', 'channel', '$created_at'],
        filters: [['assignee', 'is_null']],
        sort: ['$created_at'],
        pageSize: 100,
      }),
    ),
    v(
      'help_desk',
      'awaiting_customer',
      listView('help_desk.ticket', 'Waiting on Customer', {
        columns: ['ticket_number', 'subject', 'contact', '$updated_at'],
        filters: [['status', 'equals', 'pending']],
        sort: ['$updated_at'],
      }),
    ),
    v(
      'help_desk',
      'articles_fr',
      listView('help_desk.knowledge_article', 'Articles publiés (français)', {
        columns: ['title', 'product_line', '$updated_at'],
        filters: [
          ['language', 'equals', 'fr'],
          ['status', 'equals', 'published'],
        ],
        sort: ['title'],
      }),
    ),
    v(
      'field_service',
      'open_work_orders',
      listView('field_service.work_order', 'Open Work Orders', {
        columns: ['work_order_number', 'account', 'type', 'status', 'technician', 'scheduled_start'],
        filters: [['status', 'in', ['new', 'scheduled', 'dispatched', 'in_progress']]],
        sort: ['scheduled_start'],
      }),
    ),
    v(
      'field_service',
      'todays_dispatch',
      listView('field_service.work_order', "Today's Dispatch Board", {
        columns: ['work_order_number', 'technician', 'account', 'scheduled_start', 'scheduled_end', 'travel_km'],
        filters: [['scheduled_start', 'in_period', 'today']],
        sort: ['technician', 'scheduled_start'],
        pageSize: 200,
        visibility: { permissionSets: ['dispatcher'] },
      }),
    ),
    v(
      'field_service',
      'assets_out_of_warranty',
      listView('field_service.asset', 'Out of Warranty, No Contract', {
        columns: ['serial_number', 'name', 'account', 'warranty_end_date', 'operating_hours'],
        filters: [
          ['warranty_end_date', 'less_than', '$today'],
          ['$active_service_contract', 'is_null'],
          ['status', 'equals', 'installed'],
        ],
        sort: ['warranty_end_date'],
      }),
    ),
    v(
      'field_service',
      'expiring_service_contracts',
      listView('field_service.service_contract', 'Contracts Ending Within 60 Days', {
        columns: ['contract_number', 'account', 'sla_policy', 'end_date', 'annual_fee'],
        filters: [['end_date', 'within_next_days', 60]],
        sort: ['end_date'],
      }),
    ),
  ];
}

function globexLayouts(): Item[] {
  const l = (namespace: string, name: string, payload: JsonObject): Item => ({
    type: 'layout',
    namespace,
    name,
    tags: [namespace],
    payload,
  });
  return [
    l(
      'crm',
      'account_default',
      layout(
        'crm.account',
        'Account Layout',
        ['sales_region', 'key_account', 'credit_limit', 'owner'],
        [
          ['Company', 2, ['name', 'legal_form', 'siret', 'vat_number', 'industry', 'type', 'parent_account', 'legacy_code']],
          ['Commercial Terms', 2, ['sales_region', 'key_account', 'currency_code', 'credit_limit', 'payment_terms_days']],
          ['Addresses', 2, ['billing_address', 'shipping_address']],
        ],
        [
          related('crm.contact', 'account', ['full_name', 'title', 'preferred_language'], 'last_name'),
          related('crm.order', 'account', ['order_number', 'status', 'total_amount'], '-order_date'),
          related('field_service.asset', 'account', ['serial_number', 'name', 'status'], 'name'),
          related('help_desk.ticket', 'account', ['ticket_number', 'subject', 'status'], '-$created_at'),
        ],
      ),
    ),
    l(
      'crm',
      'contact_default',
      layout(
        'crm.contact',
        'Contact Layout',
        ['account', 'title', 'preferred_language'],
        [
          ['Contact', 2, ['salutation', 'first_name', 'last_name', 'title', 'account', 'reports_to', 'preferred_language']],
          ['Reach', 2, ['email', 'phone', 'mobile_phone', 'mailing_address']],
          ['GDPR', 2, ['gdpr_legal_basis', 'gdpr_consent_date', 'email_opt_out']],
        ],
      ),
    ),
    l(
      'crm',
      'lead_default',
      layout(
        'crm.lead',
        'Lead Layout',
        ['company', 'country', 'status'],
        [
          ['Lead', 2, ['first_name', 'last_name', 'title', 'company', 'country', 'email', 'phone']],
          ['Interest', 2, ['lead_source', 'trade_show', 'product_interest', 'rating', 'status']],
        ],
      ),
    ),
    l(
      'crm',
      'opportunity_default',
      layout(
        'crm.opportunity',
        'Opportunity Layout',
        ['account', 'stage', 'amount', 'close_date'],
        [
          ['Opportunity', 2, ['name', 'account', 'stage', 'probability', 'close_date', 'tender_reference', 'next_step']],
          ['Commercials', 2, ['currency_code', 'amount', 'margin_percent', 'incoterms', 'plant', 'delivery_date']],
        ],
        [related('crm.order', 'opportunity', ['order_number', 'status', 'total_amount'], 'order_number')],
      ),
    ),
    l(
      'crm',
      'product_default',
      layout(
        'crm.product',
        'Product Layout',
        ['sku', 'product_line', 'list_price'],
        [
          ['Product', 2, ['name', 'sku', 'product_line', 'unit_of_measure', 'is_active']],
          ['Logistics', 2, ['weight_kg', 'hs_code', 'lead_time_days']],
          ['Price', 2, ['currency_code', 'list_price']],
        ],
      ),
    ),
    l(
      'crm',
      'order_default',
      layout(
        'crm.order',
        'Sales Order Layout',
        ['status', 'total_amount', 'requested_delivery_date'],
        [
          ['Order', 2, ['order_number', 'account', 'opportunity', 'status', 'order_date', 'erp_document']],
          ['Delivery', 2, ['plant', 'incoterms', 'requested_delivery_date', 'ship_to_address']],
          ['Amounts', 2, ['currency_code', 'total_amount']],
        ],
        [related('crm.order_line', 'order', ['position', 'product', 'quantity', 'unit_price', 'line_total'], 'position')],
      ),
    ),
    l(
      'help_desk',
      'ticket_default',
      layout(
        'help_desk.ticket',
        'Ticket Layout',
        ['status', 'priority', 'assignee', 'due_at'],
        [
          ['Ticket', 2, ['ticket_number', 'subject', 'status', 'priority', 'category', 'channel', 'language']],
          ['Requester', 2, ['account', 'contact', 'asset']],
          ['Description', 1, ['description']],
        ],
        [related('help_desk.ticket_comment', 'ticket', ['body', 'is_public', 'author'], '-$created_at')],
      ),
    ),
    l(
      'help_desk',
      'knowledge_article_default',
      layout(
        'help_desk.knowledge_article',
        'Article Layout',
        ['language', 'status'],
        [
          ['Article', 1, ['title', 'body']],
          ['Classification', 2, ['language', 'product_line', 'status', 'internal_only']],
        ],
      ),
    ),
    l(
      'field_service',
      'work_order_default',
      layout(
        'field_service.work_order',
        'Work Order Layout',
        ['status', 'technician', 'scheduled_start'],
        [
          ['Work Order', 2, ['work_order_number', 'account', 'asset', 'ticket', 'service_contract', 'type', 'priority', 'status']],
          ['Scheduling', 2, ['technician', 'required_skills', 'scheduled_start', 'scheduled_end', 'duration_hours', 'travel_km']],
          ['Completion', 1, ['report', 'signature_required']],
        ],
      ),
    ),
    l(
      'field_service',
      'asset_default',
      layout(
        'field_service.asset',
        'Asset Layout',
        ['status', 'account', 'warranty_end_date'],
        [
          ['Asset', 2, ['name', 'serial_number', 'product', 'account', 'parent_asset', 'status']],
          ['Lifecycle', 2, ['install_date', 'warranty_end_date', 'operating_hours']],
          ['Location', 2, ['location', 'gps']],
        ],
        [
          related('field_service.work_order', 'asset', ['work_order_number', 'type', 'status', 'scheduled_start'], '-scheduled_start'),
          related('field_service.asset', 'parent_asset', ['serial_number', 'name'], 'name'),
        ],
      ),
    ),
    l(
      'field_service',
      'service_contract_default',
      layout(
        'field_service.service_contract',
        'Service Contract Layout',
        ['sla_policy', 'end_date', 'annual_fee'],
        [
          ['Contract', 2, ['contract_number', 'account', 'sla_policy', 'start_date', 'end_date']],
          ['Service', 2, ['visits_per_year', 'response_time_hours', 'currency_code', 'annual_fee']],
        ],
        [related('field_service.work_order', 'service_contract', ['work_order_number', 'type', 'status'], '-scheduled_start')],
      ),
    ),
  ];
}

function globexFlows(): Item[] {
  const flow = (namespace: string, name: string, payload: JsonObject, extra: Partial<Item> = {}): Item => ({
    type: 'flow',
    namespace,
    name,
    tags: [namespace, 'automation'],
    payload: { apiVersion: 2, ...payload },
    ...extra,
  });
  return [
    flow(
      'help_desk',
      'case_auto_assignment',
      {
        label: 'Ticket Routing by Language',
        description: 'Globex routes tickets, not cases: each new ticket goes to the queue of its language.',
        trigger: { type: 'record_created', object: 'help_desk.ticket' },
        steps: [
          {
            id: 'by_language',
            type: 'decision',
            outcomes: [
              { label: 'Français', when: "language = 'fr'", next: 'to_fr' },
              { label: 'Deutsch', when: "language = 'de'", next: 'to_de' },
            ],
            defaultNext: 'to_en',
          },
          { id: 'to_fr', type: 'assign', queue: 'help_desk.support_fr' },
          { id: 'to_de', type: 'assign', queue: 'help_desk.support_de' },
          { id: 'to_en', type: 'assign', queue: 'help_desk.support_en' },
        ],
        errorHandling: { onError: 'continue', notify: ['help_desk.support_l2'] },
      },
      { extends: 'case_auto_assignment', mergeStrategy: 'replace' },
    ),
    flow('help_desk', 'ticket_sla_escalation', {
      label: 'P1 Escalation',
      description: 'A P1 ticket still open 2 hours before it is due is raised to level 2 and the duty manager is called.',
      trigger: { type: 'schedule', cron: '*/10 * * * *', timezone: 'Europe/Paris' },
      steps: [
        {
          id: 'find_at_risk',
          type: 'query',
          object: 'help_desk.ticket',
          filters: [
            { field: 'priority', operator: 'equals', value: 'p1' },
            { field: 'status', operator: 'in', value: ['open', 'on_hold'] },
            { field: 'due_at', operator: 'within_next_minutes', value: 120 },
          ],
          next: 'each',
        },
        {
          id: 'each',
          type: 'loop',
          collection: '$find_at_risk.records',
          steps: [
            { id: 'to_level_2', type: 'assign', queue: 'help_desk.support_l2' },
            {
              id: 'call_duty_manager',
              type: 'notify',
              channel: 'sms',
              recipients: ['$role:duty_manager'],
              message: 'P1 {{item.ticket_number}} due {{item.due_at}}',
            },
          ],
        },
      ],
    }),
    flow('help_desk', 'ticket_auto_close', {
      label: 'Close Solved Tickets After 7 Days',
      description: 'Solved tickets with no reply for seven days are closed.',
      trigger: { type: 'schedule', cron: '30 3 * * *', timezone: 'Europe/Paris' },
      steps: [
        {
          id: 'close',
          type: 'bulk_update',
          object: 'help_desk.ticket',
          filters: [
            { field: 'status', operator: 'equals', value: 'solved' },
            { field: 'solved_at', operator: 'older_than_days', value: 7 },
          ],
          values: { status: 'closed' },
          maxRecords: 5000,
        },
      ],
    }),
    flow('help_desk', 'ticket_from_email', {
      label: 'E-mail to Ticket',
      description:
        'support@globex.example, support.de@globex.example and support.fr@globex.example open tickets; replies are threaded by ticket number.',
      trigger: { type: 'inbound_email', addresses: ['support@globex.example', 'support.de@globex.example', 'support.fr@globex.example'] },
      steps: [
        {
          id: 'existing',
          type: 'decision',
          outcomes: [{ label: 'Reply to a ticket', when: "MATCHES($email.subject, '\\[TK-[0-9]{6}\\]')", next: 'add_comment' }],
          defaultNext: 'create_ticket',
        },
        {
          id: 'add_comment',
          type: 'create_record',
          object: 'help_desk.ticket_comment',
          values: { ticket: '$email.subject.ticket_ref', body: '$email.text', is_public: true, via: 'email' },
        },
        {
          id: 'create_ticket',
          type: 'create_record',
          object: 'help_desk.ticket',
          values: { subject: '$email.subject', description: '$email.text', channel: 'email', language: '$email.detected_language' },
        },
      ],
    }),
    flow('crm', 'credit_limit_check', {
      label: 'Credit Limit Check',
      description: 'Holds an order whose value takes the account over its credit limit and asks finance to release it.',
      trigger: {
        type: 'record_updated',
        object: 'crm.order',
        condition: { field: 'status', operator: 'changed_to', value: 'confirmed' },
      },
      steps: [
        {
          id: 'over_limit',
          type: 'decision',
          outcomes: [{ label: 'Over limit', when: 'account.$open_order_total > account.credit_limit', next: 'hold' }],
          defaultNext: 'send_to_erp',
        },
        { id: 'hold', type: 'update_record', target: '$record', values: { status: 'draft' }, next: 'ask_finance' },
        { id: 'ask_finance', type: 'approval', approvers: ['$role:finance_controller'], mode: 'any', timeoutHours: 8, next: 'send_to_erp' },
        {
          id: 'send_to_erp',
          type: 'http_request',
          method: 'POST',
          url: 'https://erp.globex.example/sap/opu/odata/sap/API_SALES_ORDER_SRV/A_SalesOrder',
          timeoutMs: 15000,
          retries: 3,
          retryBackoffMs: 2000,
          body: { SalesOrderType: 'OR', SoldToParty: '{{record.account.legacy_code}}', TransactionCurrency: '{{record.currency_code}}' },
          next: 'store_document',
        },
        { id: 'store_document', type: 'update_record', target: '$record', values: { erp_document: '$send_to_erp.d.SalesOrder' } },
      ],
    }),
    flow('crm', 'opportunity_won_create_order', {
      label: 'Won Opportunity → Draft Order',
      description: 'Creates a draft sales order from a won opportunity, in its currency and with its Incoterms.',
      trigger: {
        type: 'record_updated',
        object: 'crm.opportunity',
        condition: { field: 'stage', operator: 'changed_to', value: 'closed_won' },
      },
      steps: [
        {
          id: 'create_order',
          type: 'create_record',
          object: 'crm.order',
          values: {
            account: '$record.account',
            opportunity: '$record',
            order_date: '$today',
            currency_code: '$record.currency_code',
            incoterms: '$record.incoterms',
            plant: '$record.plant',
            requested_delivery_date: '$record.delivery_date',
          },
        },
      ],
    }),
    flow('crm', 'lead_routing_by_country', {
      label: 'Lead Routing by Country',
      description: 'France to Lyon, DACH to Stuttgart, Poland and the rest of CEE to Kraków; everything else to export sales.',
      trigger: { type: 'record_created', object: 'crm.lead' },
      steps: [
        {
          id: 'by_country',
          type: 'decision',
          outcomes: [
            { label: 'France / Belgique', when: "country IN ('fr', 'be')", next: 'to_lyon' },
            { label: 'DACH', when: "country IN ('de', 'at', 'ch')", next: 'to_stuttgart' },
            { label: 'Polska', when: "country = 'pl'", next: 'to_krakow' },
          ],
          defaultNext: 'to_export',
        },
        { id: 'to_lyon', type: 'assign', user: 'marie.dupont@globex' },
        { id: 'to_stuttgart', type: 'assign', user: 'otto.berg@globex' },
        { id: 'to_krakow', type: 'assign', user: 'agnieszka.nowak@globex' },
        { id: 'to_export', type: 'assign', queue: 'crm.export_sales' },
      ],
    }),
    flow('field_service', 'preventive_maintenance', {
      label: 'Preventive Maintenance Planner',
      description: 'On the first of each month, opens a preventive-maintenance work order for each asset whose contract calls for a visit.',
      trigger: { type: 'schedule', cron: '0 5 1 * *', timezone: 'Europe/Paris' },
      steps: [
        {
          id: 'due_assets',
          type: 'query',
          object: 'field_service.asset',
          filters: [
            { field: 'status', operator: 'equals', value: 'installed' },
            { field: '$next_visit_due', operator: 'in_period', value: 'this_month' },
          ],
          next: 'each',
        },
        {
          id: 'each',
          type: 'loop',
          collection: '$due_assets.records',
          steps: [
            {
              id: 'open_work_order',
              type: 'create_record',
              object: 'field_service.work_order',
              values: { account: '$item.account', asset: '$item', type: 'preventive_maintenance', priority: 'normal', duration_hours: 3.5 },
            },
          ],
        },
      ],
      settings: { batchSize: 100 },
    }),
    flow(
      'field_service',
      'preventive_maintenance_v1',
      {
        label: 'Preventive Maintenance (v1)',
        description: 'Opened one work order per contract rather than per asset; replaced by the planner.',
        trigger: { type: 'schedule', cron: '0 5 1 * *', timezone: 'Europe/Paris' },
        steps: [
          {
            id: 'open_work_order',
            type: 'create_record',
            object: 'field_service.work_order',
            values: { type: 'preventive_maintenance' },
          },
        ],
      },
      { state: 'archived' },
    ),
    flow('field_service', 'work_order_completed', {
      label: 'Work Order Completed',
      description: 'Sends the signed service report to the customer and updates the asset’s operating hours.',
      trigger: {
        type: 'record_updated',
        object: 'field_service.work_order',
        condition: { field: 'status', operator: 'changed_to', value: 'completed' },
      },
      steps: [
        {
          id: 'report',
          type: 'send_email',
          template: 'field_service.work_order_report',
          to: '$record.account.$service_contact.email',
          attachPdf: true,
          next: 'hours',
        },
        { id: 'hours', type: 'update_record', target: '$record.asset', values: { operating_hours: '$record.$meter_reading' } },
      ],
    }),
  ];
}

function globexPermissionSets(): Item[] {
  const ps = (namespace: string, name: string, payload: JsonObject, extra: Partial<Item> = {}): Item => ({
    type: 'permission_set',
    namespace,
    name,
    tags: [namespace, 'security'],
    payload,
    ...extra,
  });
  return [
    ps('crm', 'key_account_manager', {
      label: 'Key Account Manager',
      description: 'Manages key accounts end to end, including credit limits up to €500,000.',
      objects: {
        'crm.account': crud('rcev'),
        'crm.contact': crud('rcedv'),
        'crm.opportunity': crud('rcedv'),
        'crm.order': crud('rcev'),
        'crm.order_line': crud('rced'),
        'crm.product': crud('r'),
      },
      fields: { 'crm.account.credit_limit': { read: true, edit: true, maxValue: 500000 } },
      systemPermissions: ['run_reports', 'convert_leads'],
    }),
    ps('crm', 'inside_sales', {
      label: 'Inside Sales',
      description: 'Qualifies leads and prepares quotes for the field sales engineers.',
      objects: {
        'crm.lead': crud('rced'),
        'crm.account': crud('rc'),
        'crm.contact': crud('rce'),
        'crm.opportunity': crud('rc'),
        'crm.product': crud('r'),
      },
      fields: { 'crm.account.credit_limit': { read: true, edit: false }, 'crm.opportunity.margin_percent': { read: false, edit: false } },
      systemPermissions: ['convert_leads'],
    }),
    ps('crm', 'sales_engineer', {
      label: 'Sales Engineer',
      description: 'Technical pre-sales: reads accounts, writes opportunities and product specifications.',
      objects: { 'crm.account': crud('r'), 'crm.opportunity': crud('rce'), 'crm.product': crud('re'), 'field_service.asset': crud('r') },
      systemPermissions: ['run_reports'],
    }),
    ps('crm', 'finance_controller', {
      label: 'Finance Controller',
      description: 'Releases held orders and maintains credit limits and payment terms.',
      objects: {
        'crm.account': crud('rev'),
        'crm.order': crud('rev'),
        'crm.order_line': crud('rv'),
        'field_service.service_contract': crud('rev'),
      },
      fields: {
        'crm.account.credit_limit': { read: true, edit: true },
        'crm.account.payment_terms_days': { read: true, edit: true },
        'crm.opportunity.margin_percent': { read: true, edit: false },
      },
      systemPermissions: ['run_reports', 'export_data', 'release_orders'],
    }),
    ps(
      'crm',
      'temporary_auditor',
      {
        label: 'Auditor (FY2023 statutory audit)',
        description: 'Read access for the external auditors during the FY2023 audit; retired afterwards.',
        objects: { 'crm.account': crud('rv'), 'crm.order': crud('rv'), 'crm.order_line': crud('rv') },
        systemPermissions: ['run_reports', 'export_data'],
        expiresOn: '2024-04-30',
      },
      { state: 'archived' },
    ),
    ps('help_desk', 'support_l1', {
      label: 'Support Level 1',
      description: 'Answers tickets in their languages; cannot delete tickets.',
      objects: {
        'help_desk.ticket': crud('rce'),
        'help_desk.ticket_comment': crud('rce'),
        'help_desk.knowledge_article': crud('r'),
        'crm.account': crud('r'),
        'crm.contact': crud('rce'),
        'field_service.asset': crud('r'),
      },
      systemPermissions: ['use_macros'],
    }),
    ps('help_desk', 'support_l2', {
      label: 'Support Level 2',
      description: 'Handles escalations, publishes articles and opens repair work orders.',
      objects: {
        'help_desk.ticket': crud('rcedv'),
        'help_desk.ticket_comment': crud('rcedv'),
        'help_desk.knowledge_article': crud('rcedv'),
        'field_service.work_order': crud('rc'),
        'crm.account': crud('rv'),
      },
      systemPermissions: ['use_macros', 'publish_articles', 'manage_queues'],
    }),
    ps('field_service', 'field_technician', {
      label: 'Field Technician',
      description: 'Sees own work orders on the mobile app, records time, parts and the customer’s signature.',
      objects: {
        'field_service.work_order': crud('re'),
        'field_service.asset': crud('re'),
        'crm.account': crud('r'),
        'crm.product': crud('r'),
      },
      fields: {
        'field_service.work_order.travel_km': { read: true, edit: true },
        'crm.account.credit_limit': { read: false, edit: false },
      },
      systemPermissions: ['mobile_app', 'offline_sync'],
      sessionTimeoutMinutes: 720,
    }),
    ps('field_service', 'dispatcher', {
      label: 'Dispatcher',
      description: 'Plans and dispatches work orders across the four plants’ technicians.',
      objects: {
        'field_service.work_order': crud('rcedv'),
        'field_service.asset': crud('rv'),
        'field_service.service_contract': crud('rv'),
      },
      systemPermissions: ['dispatch_console', 'run_reports'],
    }),
  ];
}

function globexSupportSetup(): Item[] {
  return [
    {
      type: 'value_set',
      namespace: 'core',
      name: 'currency',
      tags: ['core'],
      payload: {
        label: 'Currency',
        description: 'The currencies Globex invoices in; shadows the built-in list for this tenant.',
        sorted: false,
        restricted: true,
        values: [
          { value: 'EUR', label: 'Euro', symbol: '€', decimalPlaces: 2, default: true },
          { value: 'CHF', label: 'Franc suisse', symbol: 'CHF', decimalPlaces: 2 },
          { value: 'GBP', label: 'Pound Sterling', symbol: '£', decimalPlaces: 2 },
          { value: 'PLN', label: 'Złoty', symbol: 'zł', decimalPlaces: 2 },
          { value: 'USD', label: 'US Dollar', symbol: '$', decimalPlaces: 2 },
        ],
      },
    },
    {
      type: 'value_set',
      namespace: 'crm',
      name: 'sales_region',
      tags: ['crm'],
      payload: {
        label: 'Sales Region',
        sorted: false,
        restricted: true,
        values: opts(
          'france',
          ['dach', 'DACH (Deutschland, Österreich, Schweiz)'],
          ['benelux', 'Benelux'],
          'iberia',
          'nordics',
          ['cee', 'Central & Eastern Europe'],
          ['uk_ireland', 'UK & Ireland'],
          ['export', 'Export (rest of world)'],
        ),
      },
    },
    {
      type: 'value_set',
      namespace: 'crm',
      name: 'product_line',
      tags: ['crm', 'catalogue'],
      payload: {
        label: 'Product Line',
        sorted: false,
        restricted: true,
        values: [
          { value: 'centrifugal_pumps', label: 'Centrifugal Pumps', translations: { fr: 'Pompes centrifuges', de: 'Kreiselpumpen' } },
          { value: 'valves', label: 'Valves', translations: { fr: 'Vannes', de: 'Ventile' } },
          { value: 'compressors', label: 'Compressors', translations: { fr: 'Compresseurs', de: 'Verdichter' } },
          { value: 'spare_parts', label: 'Spare Parts', translations: { fr: 'Pièces détachées', de: 'Ersatzteile' } },
          { value: 'services', label: 'Services', translations: { fr: 'Prestations', de: 'Dienstleistungen' } },
        ],
      },
    },
    {
      type: 'value_set',
      namespace: 'help_desk',
      name: 'ticket_category',
      tags: ['help_desk'],
      payload: {
        label: 'Ticket Category',
        sorted: true,
        restricted: false,
        values: opts(
          'breakdown',
          'spare_part_request',
          'documentation',
          ['warranty_claim', 'Warranty Claim'],
          'delivery',
          'invoice',
          'other',
        ),
      },
    },
    {
      type: 'value_set',
      namespace: 'field_service',
      name: 'skill',
      tags: ['field_service'],
      payload: {
        label: 'Technician Skill',
        sorted: true,
        restricted: true,
        values: [
          { value: 'electrical', label: 'Electrical (habilitation B2V/BR)' },
          { value: 'hydraulics', label: 'Hydraulics' },
          { value: 'atex', label: 'ATEX Zones' },
          { value: 'welding', label: 'Welding' },
          { value: 'vibration_analysis', label: 'Vibration Analysis' },
          { value: 'plc', label: 'PLC / Automation' },
        ],
      },
    },
    {
      type: 'sla_policy',
      namespace: 'help_desk',
      name: 'standard',
      tags: ['help_desk', 'sla'],
      payload: {
        label: 'Standard',
        businessHours: { timezone: 'Europe/Paris', days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '08:00', end: '18:00' },
        holidays: 'fr_public',
        targets: [
          { priority: 'p1', firstResponseMinutes: 120, resolutionMinutes: 960 },
          { priority: 'p2', firstResponseMinutes: 240, resolutionMinutes: 1920 },
          { priority: 'p3', firstResponseMinutes: 600, resolutionMinutes: 4800 },
          { priority: 'p4', firstResponseMinutes: 1200, resolutionMinutes: 9600 },
        ],
        pauseOnStatuses: ['pending', 'on_hold'],
      },
    },
    {
      type: 'sla_policy',
      namespace: 'help_desk',
      name: 'premium_24_7',
      tags: ['help_desk', 'sla'],
      payload: {
        label: 'Premium 24/7',
        businessHours: { timezone: 'Europe/Paris', days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'], start: '00:00', end: '24:00' },
        targets: [
          { priority: 'p1', firstResponseMinutes: 30, resolutionMinutes: 360 },
          { priority: 'p2', firstResponseMinutes: 120, resolutionMinutes: 1440 },
          { priority: 'p3', firstResponseMinutes: 480, resolutionMinutes: 2880 },
          { priority: 'p4', firstResponseMinutes: 960, resolutionMinutes: 5760 },
        ],
        pauseOnStatuses: ['pending'],
        escalation: { notifyBeforeBreachMinutes: 20, notify: ['$role:duty_manager'] },
        penaltyPerHourEur: 150.0,
      },
    },
    {
      type: 'sla_policy',
      namespace: 'field_service',
      name: 'on_site_response',
      tags: ['field_service', 'sla'],
      payload: {
        label: 'On-site Within 8 Hours',
        businessHours: { timezone: 'Europe/Paris', days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat'], start: '06:00', end: '22:00' },
        targets: [
          { priority: 'emergency', onSiteMinutes: 480 },
          { priority: 'high', onSiteMinutes: 1440 },
        ],
        maxTravelKm: 250,
      },
    },
    ...(
      [
        ['support_fr', 'Support (français)', 'fr', 'support.fr@globex.example'],
        ['support_de', 'Support (Deutsch)', 'de', 'support.de@globex.example'],
        ['support_en', 'Support (English)', 'en', 'support@globex.example'],
      ] as const
    ).map(([name, label, language, address]): Item => ({
      type: 'queue',
      namespace: 'help_desk',
      name,
      tags: ['help_desk', 'routing'],
      payload: {
        label,
        objects: ['help_desk.ticket'],
        members: { permissionSets: ['help_desk.support_l1'], languages: [language] },
        routing: 'skills_based',
        maxOpenPerAgent: language === 'en' ? 15 : 10,
        email: address,
      },
    })),
    {
      type: 'queue',
      namespace: 'field_service',
      name: 'dispatch',
      tags: ['field_service', 'routing'],
      payload: {
        label: 'Dispatch',
        objects: ['field_service.work_order'],
        members: { permissionSets: ['field_service.dispatcher'] },
        routing: 'manual',
        reassignAfterHours: 4,
      },
    },
    {
      type: 'email_template',
      namespace: 'help_desk',
      name: 'ticket_received',
      tags: ['help_desk', 'email'],
      payload: {
        label: 'Ticket Received',
        object: 'help_desk.ticket',
        locale: 'fr_fr',
        subject: '[{{record.ticket_number}}] Nous avons bien reçu votre demande',
        bodyFormat: 'text',
        body: 'Bonjour {{record.contact.first_name}},\n\nNous avons bien reçu votre demande « {{record.subject}} ». Un technicien vous répondra dans les meilleurs délais.\n\nCordialement,\nLe support Globex',
        translations: {
          de: {
            subject: '[{{record.ticket_number}}] Wir haben Ihre Anfrage erhalten',
            body: 'Guten Tag {{record.contact.last_name}},\n\nvielen Dank für Ihre Anfrage „{{record.subject}}“.',
          },
          en: {
            subject: '[{{record.ticket_number}}] We received your request',
            body: 'Hello {{record.contact.first_name}},\n\nThank you for your request "{{record.subject}}".',
          },
        },
      },
    },
    {
      type: 'email_template',
      namespace: 'help_desk',
      name: 'ticket_resolved',
      tags: ['help_desk', 'email'],
      payload: {
        label: 'Ticket Resolved',
        object: 'help_desk.ticket',
        locale: 'en_gb',
        subject: '[{{record.ticket_number}}] Resolved: {{record.subject}}',
        bodyFormat: 'markdown',
        body: 'Hello {{record.contact.first_name}},\n\nWe have marked your ticket as **solved**. If anything is still not working, just reply within 7 days and the ticket reopens.\n\nGlobex Support',
      },
    },
    {
      type: 'email_template',
      namespace: 'crm',
      name: 'order_confirmation',
      tags: ['crm', 'email'],
      payload: {
        label: 'Order Confirmation / Confirmation de commande',
        object: 'crm.order',
        locale: 'fr_fr',
        subject: 'Confirmation de commande {{record.order_number}}',
        bodyFormat: 'html',
        body: '<p>Madame, Monsieur,</p><p>Nous vous confirmons la commande <strong>{{record.order_number}}</strong> d’un montant de {{record.total_amount | currency: record.currency_code}} (Incoterms® {{record.incoterms}}).</p><p>Globex Société Industrielle</p>',
      },
    },
    {
      type: 'email_template',
      namespace: 'field_service',
      name: 'work_order_report',
      tags: ['field_service', 'email'],
      payload: {
        label: 'Service Report',
        object: 'field_service.work_order',
        locale: 'en_gb',
        subject: 'Service report {{record.work_order_number}} – {{record.asset.name}}',
        bodyFormat: 'markdown',
        body: 'Please find attached the signed service report for **{{record.asset.name}}** (serial {{record.asset.serial_number}}).\n\nTime on site: {{record.duration_hours}} h · Travel: {{record.travel_km}} km',
      },
    },
  ];
}

/** globex's user-scope customisations: each extends an item of an earlier scope. */
function globexUserItems(): (Item & { owner: string })[] {
  return [
    {
      owner: 'marie.dupont@globex',
      type: 'view',
      namespace: 'crm',
      name: 'all_accounts',
      tags: ['crm'],
      extends: 'all_accounts',
      mergeStrategy: 'merge',
      payload: {
        label: 'Tous les comptes',
        columns: ['name', 'siret', 'legal_form', 'sales_region', 'owner'],
        sort: sort('sales_region', 'name'),
      },
    },
    {
      owner: 'marie.dupont@globex',
      type: 'view',
      namespace: 'crm',
      name: 'comptes_cles_france',
      tags: ['crm'],
      extends: 'key_accounts',
      mergeStrategy: 'merge',
      payload: {
        label: 'Comptes clés – France',
        filters: filters([
          ['key_account', 'equals', true],
          ['sales_region', 'equals', 'france'],
        ]),
        visibility: 'owner',
      },
    },
    {
      owner: 'li.wei@globex',
      type: 'view',
      namespace: 'help_desk',
      name: 'escalated_tickets',
      tags: ['help_desk'],
      extends: 'escalated_tickets',
      mergeStrategy: 'merge',
      payload: { columns: ['ticket_number', 'subject', 'account', 'asset', 'priority', 'due_at'], pageSize: 25 },
    },
    {
      owner: 'li.wei@globex',
      type: 'email_template',
      namespace: 'help_desk',
      name: 'ticket_resolved',
      tags: ['help_desk', 'email'],
      extends: 'ticket_resolved',
      mergeStrategy: 'replace',
      payload: {
        label: 'Ticket Resolved (Li Wei)',
        object: 'help_desk.ticket',
        locale: 'en_gb',
        subject: '[{{record.ticket_number}}] Resolved: {{record.subject}}',
        bodyFormat: 'markdown',
        body: 'Hello {{record.contact.first_name}},\n\nYour ticket is solved. Reply within 7 days if anything is still wrong.\n\nBest regards,\nLi Wei · Level 2 Support, Globex · +33 4 72 00 00 00',
      },
    },
    {
      owner: 'otto.berg@globex',
      type: 'view',
      namespace: 'crm',
      name: 'won_opportunities',
      tags: ['crm'],
      extends: 'won_opportunities',
      mergeStrategy: 'merge',
      payload: {
        label: 'Gewonnen – DACH',
        filters: filters([
          ['stage', 'equals', 'closed_won'],
          ['account.sales_region', 'equals', 'dach'],
        ]),
        columns: ['name', 'account', 'amount', 'currency_code', 'plant', 'close_date'],
      },
    },
    {
      owner: 'otto.berg@globex',
      type: 'view',
      namespace: 'crm',
      name: 'recently_viewed_accounts',
      tags: ['crm'],
      extends: 'recently_viewed_accounts',
      mergeStrategy: 'merge',
      payload: { columns: ['name', 'sales_region', 'phone', 'owner'], pageSize: 10 },
    },
  ];
}

// ---------------------------------------------------------------------------
// The set
// ---------------------------------------------------------------------------

const TENANTS = ['acme', 'globex'] as const;

/** Every item of the set, in a fixed order: tenant, then scope, then as authored. */
export function sampleItems(): SampleItem[] {
  const items: SampleItem[] = [];
  for (const tenantId of TENANTS) {
    for (const item of systemItems()) items.push({ tenantId, scope: 'system', ...item });
    const platform =
      tenantId === 'acme'
        ? [...acmeObjects(), ...acmeViews(), ...acmeLayouts(), ...acmeFlows(), ...acmePermissionSets(), ...acmeSupportSetup()]
        : [...globexObjects(), ...globexViews(), ...globexLayouts(), ...globexFlows(), ...globexPermissionSets(), ...globexSupportSetup()];
    for (const item of platform) items.push({ tenantId, scope: 'platform', ...item });
    for (const item of tenantId === 'acme' ? acmeUserItems() : globexUserItems()) items.push({ tenantId, scope: 'user', ...item });
  }
  return items;
}

/** The item's path under the tree, as METADATA_FILE_LAYOUT gives it for its scope. */
export function samplePath(item: Pick<SampleItem, 'tenantId' | 'scope' | 'owner' | 'type' | 'namespace' | 'name'>): string {
  return METADATA_FILE_LAYOUT[item.scope]
    .replace('<tenantId>', item.tenantId)
    .replace('<owner>', item.owner ?? '')
    .replace('<type>', item.type)
    .replace('<namespace>', item.namespace)
    .replace('<name>', item.name)
    .replace('<scope>', item.scope);
}

/**
 * What the item's file holds. System items use the short form, the key left
 * to the path, as a platform ships its built-ins; the others spell out the
 * key, so each file is also a complete record by itself.
 */
export function sampleRecord(item: SampleItem): JsonObject {
  const key: JsonObject =
    item.scope === 'system'
      ? {}
      : {
          tenantId: item.tenantId,
          scope: item.scope,
          ...(item.owner !== undefined ? { owner: item.owner } : {}),
          type: item.type,
          namespace: item.namespace,
          name: item.name,
        };
  return {
    ...key,
    ...(item.state !== undefined ? { state: item.state } : {}),
    ...(item.tags !== undefined ? { tags: item.tags } : {}),
    ...(item.extends !== undefined ? { extends: item.extends } : {}),
    ...(item.mergeStrategy !== undefined ? { mergeStrategy: item.mergeStrategy } : {}),
    payload: item.payload,
  };
}

/** The envelope fields the README's tables are computed from; a record read back from the files has them too. */
type Summary = Pick<SampleItem, 'tenantId' | 'scope' | 'owner' | 'type' | 'namespace' | 'name' | 'extends' | 'mergeStrategy'> & {
  state?: MetadataState;
};

const SCOPES: MetadataScope[] = ['system', 'platform', 'user'];
const RANK: Record<MetadataScope, number> = { system: 0, platform: 1, user: 2 };

/**
 * How many items a resolved load of `tenantId` serves to `actor` (undefined:
 * a caller who owns no user items): one per type, namespace and name, from
 * the candidates the caller sees (system and platform items, and the
 * caller's own user items), archived ones left out.
 */
export function servedCount(items: readonly Summary[], tenantId: string, actor: string | undefined): number {
  const names = new Set<string>();
  for (const item of items) {
    if (item.tenantId !== tenantId || item.state === 'archived' || (item.scope === 'user' && item.owner !== actor)) continue;
    names.add(JSON.stringify([item.type, item.namespace, item.name]));
  }
  return names.size;
}

/** The scope of the parent an item's `extends` names: the nearest earlier scope holding a non-archived item of that name. */
function parentScope(item: Summary, items: readonly Summary[]): MetadataScope | undefined {
  const earlier = SCOPES.filter((scope) => RANK[scope] < RANK[item.scope]).reverse();
  return earlier.find((scope) =>
    items.some(
      (other) =>
        other.scope === scope &&
        other.state !== 'archived' &&
        other.tenantId === item.tenantId &&
        other.type === item.type &&
        other.namespace === item.namespace &&
        other.name === item.extends,
    ),
  );
}

const table = (header: string[], rows: string[][]) =>
  [header, header.map(() => '---'), ...rows].map((cells) => `| ${cells.join(' | ')} |`).join('\n');

/**
 * The README's generated section: counts by type, tenant and scope; what a
 * resolved load serves to each caller; and every `extends` in the set.
 */
export function readmeSection(items: readonly Summary[]): string {
  const types = [...new Set(items.map((item) => item.type))].sort();
  const tenants = [...new Set(items.map((item) => item.tenantId))].sort();
  const count = (tenantId: string | undefined, type: string | undefined, scope: MetadataScope | undefined) =>
    items.filter(
      (item) =>
        (tenantId === undefined || item.tenantId === tenantId) &&
        (type === undefined || item.type === type) &&
        (scope === undefined || item.scope === scope),
    ).length;
  const countRow = (label: string, type: string | undefined) => [
    label,
    ...tenants.flatMap((tenant) => SCOPES.map((scope) => String(count(tenant, type, scope)))),
    String(count(undefined, type, undefined)),
  ];
  const counts = table(
    ['type', ...tenants.flatMap((tenant) => SCOPES.map((scope) => `${tenant} ${scope}`)), 'total'],
    [...types.map((type) => countRow(`\`${type}\``, type)), countRow('**all types**', undefined)],
  );
  const perTenant = tenants.map((tenant) => `${tenant} ${count(tenant, undefined, undefined)}`).join(', ');
  const states = (['draft', 'deprecated', 'archived'] as const)
    .map((state) => `${items.filter((item) => item.state === state).length} ${state}`)
    .join(', ');

  const served = table(
    ['tenant', 'caller', 'items served'],
    tenants.flatMap((tenant) => {
      const owners = [
        ...new Set(items.filter((item) => item.tenantId === tenant && item.owner !== undefined).map((item) => item.owner!)),
      ].sort();
      return [
        [tenant, 'any caller without user items of their own', String(servedCount(items, tenant, undefined))],
        ...owners.map((owner) => [tenant, `\`${owner}\``, String(servedCount(items, tenant, owner))]),
      ];
    }),
  );

  // Sorted, so the table is the same whatever order the items come in (authored here, by path when read back).
  const order = (item: Summary) => [item.tenantId, String(RANK[item.scope]), item.owner ?? '', item.type, item.namespace, item.name];
  const byOrder = (a: Summary, b: Summary) => {
    const [x, y] = [order(a), order(b)];
    const i = x.findIndex((part, index) => part !== y[index]);
    return i < 0 ? 0 : x[i]! < y[i]! ? -1 : 1;
  };
  const extending = items
    .filter((item) => item.extends !== undefined)
    .sort(byOrder)
    .map((item) => [
      item.tenantId,
      item.scope === 'user' ? `user \`${item.owner}\`` : item.scope,
      `${item.type} \`${item.namespace}/${item.name}\``,
      `${parentScope(item, items) ?? '**missing**'} \`${item.extends}\``,
      item.mergeStrategy ?? 'merge',
    ]);
  const inheritance = table(['tenant', 'scope', 'item', 'extends', 'mergeStrategy'], extending);

  return [
    '### Counts',
    '',
    counts,
    '',
    `${items.length} records in all: ${perTenant}; ${states}, the rest active.`,
    '',
    '### What a resolved load serves',
    '',
    "One item per type, namespace and name: the caller's own user item, else the platform item, else the system item; archived items are not served.",
    '',
    served,
    '',
    '### Every `extends`',
    '',
    inheritance,
  ].join('\n');
}

/** Throws unless `value` survives JSON unchanged (no undefined, no non-finite number, no class instance). */
function assertPlainJson(value: JsonValue, where: string): void {
  if (!isDeepStrictEqual(JSON.parse(JSON.stringify(value)), value)) throw new Error(`${where}: the payload is not plain JSON`);
}

/** Every file of the set, path (relative to the tree) to text, validated and formatted. */
export async function sampleFiles(): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  const config = (await resolveConfig(join(SAMPLE_ROOT, 'x.json'))) ?? {};
  for (const item of sampleItems()) {
    const path = samplePath(item);
    if (files.has(path)) throw new Error(`${path}: two items have this key`);
    const record = sampleRecord(item);
    assertPlainJson(record, path);
    // The file loader fills the key from the path and validates the whole as a record; do the same here.
    const filled = { ...record, tenantId: item.tenantId, scope: item.scope, type: item.type, namespace: item.namespace, name: item.name };
    const parsed = MetadataRecordSchema.safeParse(item.owner !== undefined ? { ...filled, owner: item.owner } : filled);
    if (!parsed.success) {
      const issues = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`).join('; ');
      throw new Error(`${path}: not a valid MetadataRecord: ${issues}`);
    }
    files.set(path, await format(JSON.stringify(record), { ...config, filepath: join(SAMPLE_ROOT, path) }));
  }
  return files;
}

/** The README with its generated section replaced by a fresh one. */
export function readmeWithSection(readme: string, table: string): string {
  const start = readme.indexOf(GENERATED_START);
  const end = readme.indexOf(GENERATED_END);
  if (start < 0 || end < start) throw new Error(`${SAMPLE_README}: the generated-section markers are missing`);
  return `${readme.slice(0, start + GENERATED_START.length)}\n\n${table}\n\n${readme.slice(end)}`;
}

export function listTree(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => !entry.isDirectory())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)).split('\\').join('/'))
    .sort();
}
