/* Keyboard shortcuts of the moderators' workspace. A key presses the button that declares it
   with data-shortcut (the page shows each key). Nothing happens while the moderator types in a
   field, nor with a modifier key. A button marked data-needs-rule (a restriction) first asks
   for a rule: with none chosen, the key moves the focus to the rule list instead. */
(function () {
  "use strict";

  var TYPING = "input:not([type=checkbox]):not([type=radio]):not([type=submit]):not([type=button])," +
    "textarea, select, [contenteditable]";

  function isTyping(target) {
    return target instanceof Element && target.closest(TYPING) !== null;
  }

  function announce(text) {
    var status = document.getElementById("shortcut-status");
    if (status) {
      status.textContent = text;
    }
  }

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.repeat || event.ctrlKey || event.metaKey ||
        event.altKey || event.shiftKey || isTyping(event.target)) {
      return;
    }
    var key = event.key.length === 1 ? event.key.toLowerCase() : "";
    if (!key) {
      return;
    }
    var button = document.querySelector('[data-shortcut="' + key + '"]');
    if (!button || button.disabled) {
      return;
    }
    event.preventDefault();
    var ruleId = button.getAttribute("data-needs-rule");
    var rule = ruleId ? document.getElementById(ruleId) : null;
    if (rule && !rule.value) {
      rule.focus();
      announce(rule.getAttribute("data-needs-rule-message") || "");
      return;
    }
    button.click();
  });
})();
