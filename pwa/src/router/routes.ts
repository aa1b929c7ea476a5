import type { RouteRecordRaw } from 'vue-router'
import { primeAnonymousLookup } from '@/api/public'

declare module 'vue-router' {
  interface RouteMeta {
    /** i18n key of the page title */
    title?: string
    /** needs the feature texts (i18n/locales/features.*.json), loaded before the route opens */
    features?: boolean
    /** reachable without signing in */
    public?: boolean
    /** a tab root: shows the tab bar, no back arrow */
    tabbar?: boolean
  }
}

/** How long the complaint form waits for its label's device before it shows its loading state instead. */
const COMPLAINT_LOOKUP_WAIT_MS = 1500

export const routes: RouteRecordRaw[] = [
  {
    path: '/login',
    name: 'login',
    component: () => import('@/views/auth/LoginView.vue'),
    meta: { title: 'auth.title', public: true },
  },
  {
    path: '/set-password',
    name: 'set-password',
    component: () => import('@/views/auth/SetPasswordView.vue'),
    meta: { title: 'account.setPasswordTitle' },
  },
  {
    path: '/me/account',
    name: 'account',
    component: () => import('@/views/me/AccountView.vue'),
    meta: { title: 'account.title' },
  },
  {
    path: '/',
    name: 'home',
    component: () => import('@/views/home/HomeView.vue'),
    meta: { title: 'app.title', tabbar: true },
  },
  {
    path: '/scan',
    name: 'scan',
    component: () => import('@/views/scan/ScanView.vue'),
    meta: { title: 'scan.title', tabbar: true },
  },
  {
    path: '/devices',
    name: 'devices',
    component: () => import('@/views/devices/DeviceListView.vue'),
    meta: { title: 'device.list', tabbar: true },
  },
  {
    path: '/devices/import',
    name: 'device-import',
    component: () => import('@/views/devices/DeviceImportView.vue'),
    meta: { title: 'ledger.importTitle' },
  },
  {
    path: '/devices/new',
    name: 'device-new',
    component: () => import('@/views/devices/DeviceFormView.vue'),
    meta: { title: 'deviceForm.newTitle' },
  },
  {
    path: '/devices/:id/edit',
    name: 'device-edit',
    component: () => import('@/views/devices/DeviceFormView.vue'),
    meta: { title: 'deviceForm.editTitle' },
  },
  {
    path: '/devices/:id',
    name: 'device',
    component: () => import('@/views/devices/DeviceDetailView.vue'),
    meta: { title: 'device.detail' },
  },
  {
    path: '/hazards',
    name: 'hazards',
    component: () => import('@/views/hazards/HazardListView.vue'),
    meta: { title: 'hazard.list' },
  },
  {
    path: '/hazards/new',
    name: 'hazard-new',
    component: () => import('@/views/hazards/HazardReportView.vue'),
    meta: { title: 'hazard.report' },
  },
  {
    path: '/hazards/:id',
    name: 'hazard',
    component: () => import('@/views/hazards/HazardDetailView.vue'),
    meta: { title: 'hazard.detail' },
  },
  // escalation notices (三书一函, seed 004): regulators issue and close, the enterprise signs and replies
  {
    path: '/notices',
    name: 'notices',
    component: () => import('@/views/notices/NoticeListView.vue'),
    meta: { title: 'notice.listTitle' },
  },
  {
    path: '/notices/new',
    name: 'notice-new',
    component: () => import('@/views/notices/NoticeIssueView.vue'),
    meta: { title: 'notice.issueTitle' },
  },
  {
    path: '/notices/:id(\\d+)',
    name: 'notice',
    component: () => import('@/views/notices/NoticeDetailView.vue'),
    meta: { title: 'notice.detailTitle' },
  },
  // elevator maintenance (维保): the company's workers record on site, the using unit confirms
  {
    path: '/maintenance/orders',
    name: 'maintenance-orders',
    component: () => import('@/views/maintenance/OrderListView.vue'),
    meta: { title: 'maintenance.ordersTitle' },
  },
  {
    path: '/maintenance/orders/:id(\\d+)',
    name: 'maintenance-order',
    component: () => import('@/views/maintenance/OrderDetailView.vue'),
    meta: { title: 'maintenance.orderTitle' },
  },
  // ?device=<id>: 困人/故障报修 by the using unit
  {
    path: '/maintenance/fault',
    name: 'maintenance-fault',
    component: () => import('@/views/maintenance/FaultReportView.vue'),
    meta: { title: 'maintenance.faultTitle' },
  },
  // 电梯维护保养单位质量评价: the regulators' ranking of maintenance companies
  {
    path: '/maintenance/ranking',
    name: 'maintenance-ranking',
    component: () => import('@/views/reports/MaintenanceRankingView.vue'),
    meta: { features: true, title: 'mranking.title' },
  },
  {
    path: '/maintenance/contracts',
    name: 'maintenance-contracts',
    component: () => import('@/views/maintenance/ContractListView.vue'),
    meta: { features: true, title: 'contract.title' },
  },
  {
    path: '/maintenance/records',
    name: 'maintenance-records',
    component: () => import('@/views/maintenance/RecordListView.vue'),
    meta: { title: 'maintenance.recordsTitle' },
  },
  {
    path: '/maintenance/records/:id(\\d+)',
    name: 'maintenance-record',
    component: () => import('@/views/maintenance/RecordDetailView.vue'),
    meta: { title: 'maintenance.recordTitle' },
  },
  {
    path: '/complaints',
    name: 'complaints',
    component: () => import('@/views/complaints/ComplaintListView.vue'),
    meta: { features: true, title: 'triage.list' },
  },
  {
    path: '/complaints/:id',
    name: 'complaint-detail',
    component: () => import('@/views/complaints/ComplaintDetailView.vue'),
    meta: { features: true, title: 'triage.detail' },
  },
  {
    path: '/checks',
    name: 'check-tasks',
    component: () => import('@/views/checks/CheckTaskListView.vue'),
    meta: { title: 'check.tasksTitle' },
  },
  {
    path: '/check-records/:id',
    name: 'check-record',
    component: () => import('@/views/checks/CheckDetailView.vue'),
    meta: { title: 'presence.checkTitle' },
  },
  {
    path: '/checks/:assignment',
    name: 'check-form',
    component: () => import('@/views/checks/CheckFormView.vue'),
    meta: { title: 'check.formTitle' },
  },
  // ?rhythm=daily|weekly|monthly: the safety manager's self-check to-do (the home summary's numbers as a list)
  {
    path: '/self-check/todo',
    name: 'self-check-todo',
    component: () => import('@/views/checks/SelfCheckTodoView.vue'),
    meta: { title: 'todo.title' },
  },
  // ?device=<id> (daily self-check, inspection of a device) or ?enterprise=<id>
  {
    path: '/self-check/:subkind(daily|weekly|monthly)',
    name: 'self-check',
    component: () => import('@/views/checks/CheckFormView.vue'),
    meta: { title: 'check.selfFormTitle' },
  },
  {
    path: '/inspection/:subkind(routine|special)',
    name: 'inspection',
    component: () => import('@/views/checks/CheckFormView.vue'),
    meta: { title: 'check.inspectionFormTitle' },
  },
  {
    path: '/mutual-rounds',
    name: 'mutual-rounds',
    component: () => import('@/views/mutual/RoundListView.vue'),
    meta: { features: true, title: 'mutual.roundsTitle' },
  },
  {
    path: '/mutual-rounds/:id',
    name: 'mutual-round',
    component: () => import('@/views/mutual/RoundDetailView.vue'),
    meta: { features: true, title: 'mutual.roundTitle' },
  },
  {
    path: '/supervisors',
    name: 'supervisor-pool',
    component: () => import('@/views/mutual/SupervisorPoolView.vue'),
    meta: { features: true, title: 'mutual.poolTitle' },
  },
  {
    path: '/dashboard',
    name: 'dashboard',
    component: () => import('@/views/reports/DashboardView.vue'),
    meta: { features: true, title: 'dashboard.title' },
  },
  // the inspector's work queue across hazards, complaints, notices, plans and self-checks
  {
    path: '/work-queue',
    name: 'work-queue',
    component: () => import('@/views/queue/WorkQueueView.vue'),
    meta: { features: true, title: 'workQueue.title' },
  },
  {
    path: '/inbox',
    name: 'inbox',
    component: () => import('@/views/inbox/InboxView.vue'),
    meta: { title: 'inbox.title' },
  },
  {
    path: '/reports/monthly',
    name: 'monthly-report',
    component: () => import('@/views/reports/MonthlyReportView.vue'),
    meta: { features: true, title: 'monthly.title' },
  },
  {
    path: '/reports/monthly/submissions',
    name: 'monthly-submissions',
    component: () => import('@/views/reports/MonthlySubmissionsView.vue'),
    meta: { features: true, title: 'monthly.submissionsTitle' },
  },
  {
    path: '/me/notifications',
    name: 'notification-settings',
    component: () => import('@/views/me/NotificationSettingsView.vue'),
    meta: { features: true, title: 'notifyPrefs.title' },
  },
  {
    path: '/admin/jobs',
    name: 'jobs',
    component: () => import('@/views/admin/JobsView.vue'),
    meta: { features: true, title: 'jobs.title' },
  },
  {
    path: '/outbox',
    name: 'outbox',
    component: () => import('@/views/me/OutboxView.vue'),
    meta: { title: 'outbox.title' },
  },
  {
    path: '/me',
    name: 'me',
    component: () => import('@/views/me/SettingsView.vue'),
    meta: { title: 'settings.title', tabbar: true },
  },
  {
    path: '/q/:token',
    name: 'qr',
    component: () => import('@/views/public/DevicePublicView.vue'),
    meta: { title: 'public.title', public: true },
  },
  {
    path: '/complaint/track',
    name: 'complaint-track',
    component: () => import('@/views/public/ComplaintTrackView.vue'),
    meta: { title: 'complaint.trackTitle', public: true },
  },
  {
    path: '/complaint/track/:ticket',
    name: 'complaint-track-ticket',
    component: () => import('@/views/public/ComplaintTrackView.vue'),
    meta: { title: 'complaint.trackTitle', public: true },
  },
  {
    // a device without a label (无检验合格标志): named by registration number, address or a photo
    path: '/complaint/new',
    name: 'complaint-no-label',
    component: () => import('@/views/public/ComplaintView.vue'),
    meta: { title: 'complaint.noLabelTitle', public: true },
  },
  {
    path: '/complaint/:token',
    name: 'complaint',
    component: () => import('@/views/public/ComplaintView.vue'),
    meta: { title: 'complaint.formTitle', public: true },
    beforeEnter: to => primeAnonymousLookup(String(to.params.token), COMPLAINT_LOOKUP_WAIT_MS),
  },
  // credit grading (信用风险分级, issue #8)
  {
    path: '/credit',
    name: 'credit-list',
    component: () => import('@/views/credit/CreditListView.vue'),
    meta: { features: true, title: 'credit.listTitle' },
  },
  {
    path: '/credit/config',
    name: 'credit-config',
    component: () => import('@/views/credit/CreditConfigView.vue'),
    meta: { features: true, title: 'credit.config.title' },
  },
  {
    path: '/credit/events',
    name: 'credit-events',
    component: () => import('@/views/credit/CreditEventsView.vue'),
    meta: { features: true, title: 'credit.eventsTitle' },
  },
  {
    path: '/enterprises/:id(\\d+)/credit',
    name: 'enterprise-credit',
    component: () => import('@/views/credit/EnterpriseCreditView.vue'),
    meta: { features: true, title: 'credit.pageTitle' },
  },
  // random inspection plans (双随机、一公开), key objects, recusals; the public list needs no login
  {
    path: '/plans',
    name: 'plans',
    component: () => import('@/views/plans/PlanListView.vue'),
    meta: { features: true, title: 'plan.listTitle' },
  },
  {
    path: '/plans/key-objects',
    name: 'plan-key-objects',
    component: () => import('@/views/plans/KeyObjectListView.vue'),
    meta: { features: true, title: 'plan.keyObjectsTitle' },
  },
  {
    path: '/plans/recusals',
    name: 'plan-recusals',
    component: () => import('@/views/plans/RecusalListView.vue'),
    meta: { features: true, title: 'plan.recusalsTitle' },
  },
  {
    path: '/plans/:id(\\d+)',
    name: 'plan',
    component: () => import('@/views/plans/PlanDetailView.vue'),
    meta: { features: true, title: 'plan.detailTitle' },
  },
  {
    path: '/public/plans',
    name: 'public-plans',
    component: () => import('@/views/public/PlanPublicView.vue'),
    meta: { features: true, title: 'plan.publicTitle', public: true },
  },
  // 严重违法失信名单 (?enterprise=<id> narrows it): the bureau lists and removes, regulators read, a manager its own
  {
    path: '/serious-violations',
    name: 'serious-violations',
    component: () => import('@/views/measures/SeriousViolationsView.vue'),
    meta: { features: true, title: 'violations.title' },
  },
  {
    path: '/public/disclosure',
    name: 'public-disclosure',
    component: () => import('@/views/public/DisclosureView.vue'),
    meta: { features: true, title: 'disclosure.title', public: true },
  },
  // enterprise pages, model-enterprise acceptance (?enterprise=<id>), checklist editor (bureau admins)
  {
    path: '/enterprises',
    name: 'enterprises',
    component: () => import('@/views/enterprises/EnterpriseListView.vue'),
    meta: { features: true, title: 'enterprise.list' },
  },
  {
    path: '/enterprises/:id(\\d+)',
    name: 'enterprise',
    component: () => import('@/views/enterprises/EnterpriseDetailView.vue'),
    meta: { features: true, title: 'enterprise.detail' },
  },
  {
    path: '/certificates',
    name: 'certificate-queue',
    component: () => import('@/views/enterprises/CertificateQueueView.vue'),
    meta: { features: true, title: 'certQueue.title' },
  },
  {
    path: '/acceptance',
    name: 'acceptance',
    component: () => import('@/views/checks/CheckFormView.vue'),
    meta: { title: 'check.acceptanceFormTitle' },
  },
  // accounts and the city's structure (bureau admin; a zone inspector for their zone's enterprises)
  {
    path: '/admin/users',
    name: 'users',
    component: () => import('@/views/users/UserListView.vue'),
    meta: { features: true, title: 'users.listTitle' },
  },
  {
    path: '/admin/users/new',
    name: 'user-new',
    component: () => import('@/views/users/UserCreateView.vue'),
    meta: { features: true, title: 'users.createTitle' },
  },
  {
    path: '/admin/users/import',
    name: 'user-import',
    component: () => import('@/views/users/UserImportView.vue'),
    meta: { features: true, title: 'users.importTitle' },
  },
  {
    path: '/admin/users/:id(\\d+)',
    name: 'user',
    component: () => import('@/views/users/UserDetailView.vue'),
    meta: { features: true, title: 'users.detailTitle' },
  },
  {
    path: '/admin/org',
    name: 'org',
    component: () => import('@/views/org/OrgView.vue'),
    meta: { features: true, title: 'org.title' },
  },
  {
    path: '/enterprises/new',
    name: 'enterprise-new',
    component: () => import('@/views/org/EnterpriseCreateView.vue'),
    meta: { features: true, title: 'org.newEnterprise' },
  },
  {
    path: '/admin/templates',
    name: 'admin-templates',
    component: () => import('@/views/admin/TemplateListView.vue'),
    meta: { features: true, title: 'template.list' },
  },
  {
    path: '/admin/templates/:id(\\d+)',
    name: 'admin-template',
    component: () => import('@/views/admin/TemplateVersionView.vue'),
    meta: { features: true, title: 'template.detail' },
  },
  {
    path: '/admin/templates/:id(\\d+)/edit',
    name: 'admin-template-edit',
    component: () => import('@/views/admin/TemplateEditView.vue'),
    meta: { features: true, title: 'template.editTitle' },
  },
  {
    path: '/:pathMatch(.*)*',
    name: 'not-found',
    component: () => import('@/views/NotFoundView.vue'),
    meta: { title: 'notFound.title', public: true },
  },
]
