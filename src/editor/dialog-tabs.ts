// The tab bar of a long edit dialog, grouped the way Node-RED's own MQTT broker dialog groups its
// settings: a bar (`<ul id=barId>`) and, under `#<barId>-content`, one div per tab whose id is the tab's.

export interface DialogTab {
  /** The id of the tab's div in the dialog template. */
  readonly id: string;
  /** The message key of its label. */
  readonly label: string;
}

/** Creates the tab bar; the first tab opens. A tab holding a field Node-RED marks invalid shows a warning. */
export function dialogTabs(node: EditorNode, barId: string, tabs: readonly DialogTab[]): void {
  const content = $(`#${barId}-content`);
  const bar = RED.tabs.create({
    id: barId,
    onchange(tab) {
      content.children().hide();
      $(`#${tab.id}`).show();
    },
  });
  for (const tab of tabs) bar.addTab({ id: tab.id, label: node._(tab.label) });
  warnOfInvalidFields(content, tabs);
  // The bar sizes its tabs once the tray has laid the dialog out.
  setTimeout(() => bar.resize(), 0);
}

/**
 * Node-RED marks an invalid field with `input-error`, which cannot be seen on a tab that is not open:
 * the tab's label shows a warning sign while one of its fields is marked.
 */
function warnOfInvalidFields(content: JQuery, tabs: readonly DialogTab[]): void {
  const warnings = tabs.map((tab) => ({
    pane: $(`#${tab.id}`),
    // In the tab's corner, over its label's fade: the label keeps its width.
    sign: $('<i class="fa fa-exclamation-triangle kafka-dialog-tab-warning"></i>')
      .css({
        position: 'absolute',
        top: '2px',
        right: '3px',
        lineHeight: 'normal',
        fontSize: '11px',
        zIndex: 2,
        pointerEvents: 'none',
        color: 'var(--red-ui-text-color-error, #d6615f)',
      })
      .hide()
      .appendTo(`#red-ui-tab-${tab.id}`),
  }));
  const update = (): void => {
    for (const { pane, sign } of warnings) sign.toggle(pane.find('.input-error').length > 0);
  };
  // Node-RED validates on its own change handlers, which may run after ours: watch the marks instead.
  new MutationObserver(update).observe(content[0], {
    subtree: true,
    attributes: true,
    attributeFilter: ['class'],
  });
  update();
}
