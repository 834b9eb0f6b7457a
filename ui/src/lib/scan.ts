// Page operations in the Scanstelle are setters; undoing one sets the old value again.
import type { PageEdit } from './bindings/PageEdit';
import type { PageView } from './bindings/PageView';

export type Undo =
  | { kind: 'edit'; page: string; edit: PageEdit }
  | { kind: 'move'; page: string; to: number };

/** The edit that restores `page` as it was before `edit`. */
export function undoFor(page: PageView, edit: PageEdit): Undo & { kind: 'edit' } {
  switch (edit.set) {
    case 'rotation':
      return { kind: 'edit', page: page.id, edit: { set: 'rotation', value: page.rotation } };
    case 'deleted':
      return { kind: 'edit', page: page.id, edit: { set: 'deleted', value: page.deleted } };
    case 'starts_document':
      return {
        kind: 'edit',
        page: page.id,
        edit: { set: 'starts_document', value: page.starts_document },
      };
    case 'blank':
      return { kind: 'edit', page: page.id, edit: { set: 'blank', value: page.blank } };
  }
}
