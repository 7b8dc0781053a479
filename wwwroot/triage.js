// Small browser helpers for Triage (no dependencies). Exposed as window.triage.
window.triage = (function () {
    const themeKey = "triage-theme";
    let shortcutTarget = null;

    function isTyping(e) {
        const t = e.target;
        if (!t || !t.tagName) return false;
        const tag = t.tagName.toLowerCase();
        return tag === "input" || tag === "textarea" || tag === "select" || t.isContentEditable;
    }

    function onKey(e) {
        if (!shortcutTarget || e.ctrlKey || e.metaKey || e.altKey || isTyping(e)) return;
        const key = e.key;
        if (!["j", "k", "a", "n", "f", "u", "?"].includes(key)) return;
        // A dialog open on top of the session takes the keys.
        if (document.querySelector(".mud-dialog-container")) return;
        e.preventDefault();
        shortcutTarget.invokeMethodAsync("OnShortcut", key);
    }

    return {
        getTheme: () => { try { return localStorage.getItem(themeKey); } catch { return null; } },
        setTheme: (value) => { try { localStorage.setItem(themeKey, value); } catch { /* private mode */ } },
        copy: (text) => navigator.clipboard ? navigator.clipboard.writeText(text) : Promise.reject(new Error("clipboard unavailable")),
        registerShortcuts: (dotnetRef) => {
            shortcutTarget = dotnetRef;
            document.addEventListener("keydown", onKey);
        },
        unregisterShortcuts: () => {
            shortcutTarget = null;
            document.removeEventListener("keydown", onKey);
        },
    };
})();
