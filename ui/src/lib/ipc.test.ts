import { describe, expect, it, vi } from 'vitest';

const invoke = vi.fn();
vi.mock('@tauri-apps/api/core', () => ({ invoke: (...a: unknown[]) => invoke(...a) }));

const { ipc, IpcError, toIpcError } = await import('./ipc');

describe('ipc', () => {
  it('passes command names and camelCase arguments the Rust side expects', async () => {
    invoke.mockResolvedValueOnce({ id: 'x' });
    await ipc.draftCreate('ortstermin', '1.0', '2026-11-28');
    expect(invoke).toHaveBeenLastCalledWith(
      'draft_create',
      { formId: 'ortstermin', formVersion: '1.0', today: '2026-11-28' },
      undefined,
    );
  });

  it('sends attachments as raw bytes with percent-encoded headers', async () => {
    invoke.mockResolvedValueOnce({ blob: 'ab', name: 'x', media_type: 'application/pdf', size: 3 });
    const bytes = new Uint8Array([37, 80, 68]);
    await ipc.attachmentAdd('d1', 'termine[0].foto', 'Straße 1.pdf', bytes);
    expect(invoke).toHaveBeenLastCalledWith('attachment_add', bytes, {
      headers: {
        'x-draft': 'd1',
        'x-field': 'termine%5B0%5D.foto',
        'x-name': 'Stra%C3%9Fe%201.pdf',
      },
    });
  });

  it('turns the boundary error into an IpcError keeping code and field', async () => {
    invoke.mockRejectedValueOnce({
      code: 'draft.invalid_value',
      message: "field 'aktenzeichen' ...",
      field: 'aktenzeichen',
    });
    const err = await ipc.draftSave('id', {}, '2026-11-28').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IpcError);
    expect((err as InstanceType<typeof IpcError>).code).toBe('draft.invalid_value');
    expect((err as InstanceType<typeof IpcError>).field).toBe('aktenzeichen');
  });

  it('wraps Tauri string errors in a generic code', () => {
    const e = toIpcError('command draft_x not found');
    expect(e.code).toBe('ipc.failed');
    expect(e.message).toContain('draft_x');
  });
});
