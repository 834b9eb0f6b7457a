// The only module that calls Tauri's invoke(). Every command is typed with the
// TypeScript bindings generated from Rust (src/lib/bindings, see ARCHITECTURE.md).
import { invoke } from '@tauri-apps/api/core';
import { getCurrentWindow } from '@tauri-apps/api/window';
import { listen, type UnlistenFn } from '@tauri-apps/api/event';
import type { StoreUsage } from './bindings/StoreUsage';
import type { Paged } from './bindings/Paged';
import { PAGE } from './paging';
import type { AppInfo } from './bindings/AppInfo';
import type { AttachmentRef } from './bindings/AttachmentRef';
import type { BatchSuggestions } from './bindings/BatchSuggestions';
import type { MailboxView } from './bindings/MailboxView';
import type { TeamTaken } from './bindings/TeamTaken';
import type { TeamView } from './bindings/TeamView';
import type { BatchSummary } from './bindings/BatchSummary';
import type { BatchView } from './bindings/BatchView';
import type { BoundaryError } from './bindings/BoundaryError';
import type { CheckView } from './bindings/CheckView';
import type { DocumentCheck } from './bindings/DocumentCheck';
import type { ReleasePreview } from './bindings/ReleasePreview';
import type { PageBefore } from './bindings/PageBefore';
import type { Draft } from './bindings/Draft';
import type { DraftState } from './bindings/DraftState';
import type { DraftSummary } from './bindings/DraftSummary';
import type { FormDefinition } from './bindings/FormDefinition';
import type { FormSummary } from './bindings/FormSummary';
import type { ImportOutcome } from './bindings/ImportOutcome';
import type { OutboxItem } from './bindings/OutboxItem';
import type { PageEdit } from './bindings/PageEdit';
import type { PageWord } from './bindings/PageWord';
import type { ScannerInfo } from './bindings/ScannerInfo';
import type { ScanProfileInfo } from './bindings/ScanProfileInfo';
import type { ScanProgress } from './bindings/ScanProgress';
import type { SeparationSummary } from './bindings/SeparationSummary';
import type { StationInfo } from './bindings/StationInfo';
import type { StatusSnapshot } from './bindings/StatusSnapshot';
import type { SyncIssue } from './bindings/SyncIssue';
import type { TargetSetting } from './bindings/TargetSetting';
import type { SubmissionSummary } from './bindings/SubmissionSummary';
import type { UpgradePreview } from './bindings/UpgradePreview';
import type { TerminalInfo } from './bindings/TerminalInfo';
import type { ScannedPage } from './bindings/ScannedPage';
import type { TerminalReceipt } from './bindings/TerminalReceipt';
import type { SessionEnded } from './bindings/SessionEnded';

export type DraftValues = Draft['values'];

/** An error from the app: a stable code the UI translates, an English detail, the field. */
export class IpcError extends Error {
  readonly code: string;
  readonly field: string | null;
  constructor(e: BoundaryError) {
    super(e.message);
    this.name = 'IpcError';
    this.code = e.code;
    this.field = e.field;
  }
}

function isBoundaryError(e: unknown): e is BoundaryError {
  return (
    typeof e === 'object' &&
    e !== null &&
    typeof (e as { code?: unknown }).code === 'string' &&
    typeof (e as { message?: unknown }).message === 'string'
  );
}

/** Turns whatever invoke() rejected with into an IpcError. */
export function toIpcError(e: unknown): IpcError {
  if (e instanceof IpcError) return e;
  if (isBoundaryError(e)) return new IpcError({ ...e, field: e.field ?? null });
  // Tauri's own errors (unknown command, bad arguments) arrive as strings.
  return new IpcError({ code: 'ipc.failed', message: String(e), field: null });
}

async function call<T>(
  cmd: string,
  args?: Record<string, unknown> | Uint8Array,
  options?: { headers: Record<string, string> },
): Promise<T> {
  try {
    return await invoke<T>(cmd, args, options);
  } catch (e) {
    throw toIpcError(e);
  }
}

export const ipc = {
  appInfo: () => call<AppInfo>('app_info'),
  /** The first screen is shown (logged once with the start-up time). */
  uiReady: () => call<void>('ui_ready'),
  /** Opens a store whose key is wrapped under a passphrase (or sets one for a new folder). */
  storeUnlock: (passphrase: string) => call<AppInfo>('store_unlock', { passphrase }),
  status: () => call<StatusSnapshot>('status_get'),
  // The self-service terminal (its window's capability grants only these and the draft
  // commands of its own session).
  terminalInfo: () => call<TerminalInfo>('terminal_info'),
  terminalStart: (formId: string, formVersion: string, today: string) =>
    call<DraftState>('terminal_start', { formId, formVersion, today }),
  terminalScan: (draft: string, field: string) => call<ScannedPage>('terminal_scan', { draft, field }),
  terminalSubmit: (draft: string, today: string) =>
    call<TerminalReceipt>('terminal_submit', { draft, today }),
  terminalEnd: (reason: 'submitted' | 'cancelled' | 'timeout') =>
    call<SessionEnded>('terminal_end', { reason }),
  terminalReady: () => call<number | null>('terminal_ready'),
  terminalExit: (pin: string) => call<void>('terminal_exit', { pin }),
  setLanguage: (language: string) => call<void>('language_set', { language }),
  forms: () => call<FormSummary[]>('forms_list'),
  formGet: (id: string, version: string) => call<FormDefinition>('form_get', { id, version }),
  formsImport: (files: { name: string; content: string }[]) =>
    call<ImportOutcome[]>('forms_import', { files }),
  draftCreate: (formId: string, formVersion: string, today: string) =>
    call<DraftState>('draft_create', { formId, formVersion, today }),
  draftList: (after: string | null = null, limit: number = PAGE) =>
    call<Paged<DraftSummary>>('draft_list', { after, limit }),
  draftGet: (id: string, today: string) => call<DraftState>('draft_get', { id, today }),
  draftSave: (id: string, values: DraftValues, today: string) =>
    call<DraftState>('draft_save', { id, values, today }),
  draftDelete: (id: string) => call<void>('draft_delete', { id }),
  draftFinalise: (id: string, today: string) =>
    call<SubmissionSummary>('draft_finalise', { id, today }),
  submissions: (after: string | null = null, limit: number = PAGE) =>
    call<Paged<SubmissionSummary>>('submissions_list', { after, limit }),
  syncItems: (after: string | null = null, limit: number = PAGE) =>
    call<Paged<OutboxItem>>('sync_items', { after, limit }),
  syncRetry: (id: number) => call<void>('sync_retry', { id }),
  syncRedeliver: (id: number, reason: string) => call<void>('sync_redeliver', { id, reason }),
  syncCancel: (id: number, reason: string) => call<void>('sync_cancel', { id, reason }),
  syncRetarget: (id: number, target: string) => call<void>('sync_retarget', { id, target }),
  syncNow: () => call<void>('sync_now'),
  /** Installs the verified update and restarts the app (the installer may ask for an administrator). */
  updateInstall: () => call<void>('update_install'),
  targetPasswordSet: (id: string, password: string) =>
    call<void>('target_password_set', { id, password }),
  targetsSettings: () => call<TargetSetting[]>('targets_settings'),
  targetSave: (target: TargetSetting, password: string | null, keepLocal = false) =>
    call<void>('target_save', { target, password, keepLocal }),
  targetDelete: (id: string) => call<void>('target_delete', { id }),
  targetTest: (id: string) => call<SyncIssue | null>('target_test', { id }),
  /** The target as typed in the form, before saving. */
  targetTry: (target: TargetSetting, password: string | null) =>
    call<SyncIssue | null>('target_try', { target, password }),
  draftUpgradePreview: (id: string) => call<UpgradePreview | null>('draft_upgrade_preview', { id }),
  draftUpgrade: (id: string, version: string, today: string) =>
    call<DraftState>('draft_upgrade', { id, version, today }),
  /** Sends a file's bytes as the raw request body; metadata travels in headers. */
  attachmentAdd: (draft: string, field: string, name: string, bytes: Uint8Array) =>
    call<AttachmentRef>('attachment_add', bytes, {
      headers: {
        'x-draft': draft,
        'x-field': encodeURIComponent(field),
        'x-name': encodeURIComponent(name),
      },
    }),
  scanProfiles: () => call<ScanProfileInfo[]>('scan_profiles'),
  scanMailboxes: () => call<MailboxView[]>('scan_mailboxes'),
  teamView: () => call<TeamView | null>('team_view'),
  teamHandOver: (batchId: string) => call<TeamView | null>('team_hand_over', { batchId }),
  teamTake: (step: string) => call<TeamTaken | null>('team_take', { step }),
  teamDone: (claim: number) => call<TeamView | null>('team_done', { claim }),
  teamLetGo: (claim: number) => call<TeamView | null>('team_let_go', { claim }),
  scanBatches: (after: string | null = null, limit: number = PAGE) =>
    call<Paged<BatchSummary>>('scan_batches', { after, limit }),
  scanBatchCreate: (name: string, profileId: string) =>
    call<BatchSummary>('scan_batch_create', { name, profileId }),
  scanBatchDelete: (batchId: string) => call<void>('scan_batch_delete', { batchId }),
  scanBatchGet: (batchId: string) => call<BatchView>('scan_batch_get', { batchId }),
  scanThumbnail: (pageId: string) => call<string>('scan_thumbnail', { pageId }),
  diskUsage: () => call<StoreUsage>('disk_usage'),
  scanPageView: (pageId: string, size: number) => call<string>('scan_page_view', { pageId, size }),
  scanPageWords: (pageId: string) => call<PageWord[]>('scan_page_words', { pageId }),
  scanPageEdit: (pageId: string, edit: PageEdit) => call<void>('scan_page_edit', { pageId, edit }),
  scanPageMove: (pageId: string, to: number) => call<void>('scan_page_move', { pageId, to }),
  /** One file into a batch: the bytes as the raw body, batch and name in headers. */
  scanImport: (batchId: string, name: string, bytes: Uint8Array) =>
    call<BatchSummary>('scan_import', bytes, {
      headers: { 'x-batch': batchId, 'x-name': encodeURIComponent(name) },
    }),
  scanDevices: () => call<ScannerInfo[]>('scan_devices'),
  scanStart: (batchId: string, device: string, source: string | null, maxPages: number | null) =>
    call<BatchSummary>('scan_start', { batchId, device, source, maxPages }),
  scanCancel: (batchId: string) => call<void>('scan_cancel', { batchId }),
  scanSeparate: (batchId: string, replaceManual = false) =>
    call<[SeparationSummary, BatchView]>('scan_separate', { batchId, replaceManual }),
  scanSeparationUndo: (batchId: string, before: PageBefore[]) =>
    call<BatchView>('scan_separation_undo', { batchId, before }),
  scanDocumentsMake: (batchId: string, title: string, index: [string, string][]) =>
    call<BatchView>('scan_documents_make', { batchId, title, index }),
  scanReleasePreview: (batchId: string, title: string, index: [string, string][]) =>
    call<ReleasePreview>('scan_release_preview', { batchId, title, index }),
  scanBatchHold: (batchId: string, on: boolean) => call<BatchView>('scan_batch_hold', { batchId, on }),
  scanReleaseRetry: (batchId: string) => call<BatchView>('scan_release_retry', { batchId }),
  scanReleaseWithdraw: (batchId: string) => call<BatchView>('scan_release_withdraw', { batchId }),
  scanDocumentVerify: (documentId: string) =>
    call<DocumentCheck>('scan_document_verify', { documentId }),
  stationInfo: () => call<StationInfo>('station_info'),
  stationOperatorSet: (name: string, password: string | null = null) =>
    call<StationInfo>('station_operator_set', { name, password }),
  /** A master-data file (CSV or JSON): the bytes as the raw body, its name in a header. */
  masterdataImport: (name: string, bytes: Uint8Array) =>
    call<StationInfo>('masterdata_import', bytes, {
      headers: { 'x-name': encodeURIComponent(name) },
    }),
  scanCheckGet: (batchId: string) => call<CheckView>('scan_check_get', { batchId }),
  scanIndexSet: (batchId: string, firstPage: string, index: [string, string][]) =>
    call<CheckView>('scan_index_set', { batchId, firstPage, index }),
  scanVerdict: (batchId: string, firstPage: string, passed: boolean, note: string) =>
    call<CheckView>('scan_verdict', { batchId, firstPage, passed, note }),
  scanOcrRetry: (batchId: string) => call<number>('scan_ocr_retry', { batchId }),
  scanSuggestions: (batchId: string) => call<BatchSuggestions>('scan_suggestions', { batchId }),
  scanSuggestionsApply: (batchId: string, boundaries: number | null, values: number | null) =>
    call<[SeparationSummary, BatchView]>('scan_suggestions_apply', { batchId, boundaries, values }),
};

/** The hot folder (or another source) added pages or batches. */
export function onBatchesChanged(handler: () => void): Promise<UnlistenFn> {
  return listen('scan-batches-changed', () => handler());
}

/** The mailbox reader finished a pass (or failed one): the mailboxes' states changed. */
export function onMailboxChanged(handler: () => void): Promise<UnlistenFn> {
  return listen('mailbox-changed', () => handler());
}

/** Another desk changed the team's work (or this station's upload went through). */
export function onTeamChanged(handler: () => void): Promise<UnlistenFn> {
  return listen('team-changed', () => handler());
}

/** A delivery round delivered or failed something: delivery states changed. */
export function onOutboxChanged(handler: () => void): Promise<UnlistenFn> {
  return listen('outbox-changed', () => handler());
}

/** Progress while pages arrive in a batch. */
export function onScanProgress(handler: (p: ScanProgress) => void): Promise<UnlistenFn> {
  return listen<ScanProgress>('scan-progress', (e) => handler(e.payload));
}

/**
 * Runs `beforeClose` when the user closes the window, then closes it. Tauri waits for
 * the handler (it holds the close until the window is destroyed).
 */
export async function onWindowClose(beforeClose: () => Promise<void>): Promise<() => void> {
  return getCurrentWindow().onCloseRequested(async () => {
    await beforeClose();
  });
}
