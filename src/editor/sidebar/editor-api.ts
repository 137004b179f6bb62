// The parts of the Node-RED editor the sidebar uses beyond node-red-editor.d.ts, and its calls to
// the runtime's kafka-trigger/sidebar routes (through jQuery, which carries the editor's login).

interface SidebarEditor {
  _(key: string, params?: Record<string, string | number>): string;
  plugins: { registerPlugin(id: string, definition: { type: string; onadd(): void }): void };
  sidebar: {
    addTab(tab: {
      id: string;
      label: string;
      name: string;
      content: JQuery;
      iconClass: string;
      enableOnEdit: boolean;
    }): void;
  };
  comms: { subscribe(topic: string, handler: (topic: string, data: unknown) => void): void };
}

export const editor = RED as unknown as SidebarEditor;

const NAMESPACE = 'node-red-contrib-kafka-trigger/kafka-sidebar:kafka-sidebar.';
const ADMIN_NAMESPACE = 'node-red-contrib-kafka-trigger/kafka-admin:kafka-admin.errors.';

/** A label of the sidebar's catalog. */
export function label(key: string, params?: Record<string, string | number>): string {
  return editor._(NAMESPACE + key, params);
}

/** What the admin routes answer: a result, a problem to translate, or the broker's words. */
type Answer<T> =
  { result: T } | { problem: { key: string; params: Record<string, string | number> } } | { error: string };

export const ROUTES = 'kafka-trigger/sidebar';

/** The route's result, or a rejection with a message in the user's language. */
export function call<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
  return new Promise((resolve, reject) => {
    $.ajax({
      url: `${ROUTES}/${path}`,
      method,
      contentType: 'application/json',
      data: body === undefined ? undefined : JSON.stringify(body),
      dataType: 'json',
    }).then(
      (answer: Answer<T>) => {
        if ('result' in answer) return resolve(answer.result);
        reject(new Error(failureText(answer)));
      },
      (xhr: JQuery.jqXHR) =>
        reject(new Error(xhr.status === 403 ? label('errors.forbidden') : `HTTP ${xhr.status}`)),
    );
  });
}

/** A failed operation in the user's language: the broker's words, or the problem's message. */
export function failureText(
  answer: { problem: { key: string; params: Record<string, string | number> } } | { error: string },
): string {
  if ('error' in answer) return answer.error;
  if (answer.problem.key === 'broker-missing') return label('errors.broker-missing');
  return editor._(ADMIN_NAMESPACE + answer.problem.key, answer.problem.params);
}

/** Text made safe for HTML. */
export function esc(value: unknown): string {
  return $('<span>').text(String(value)).html();
}
