<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en">
<context>
    <name>tcpsim::gui::EventLogModel</name>
    <message>
        <source>#</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Time (s)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Host</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Kind</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Event</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>segment</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>state</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>timer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>call</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>signal</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>process</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>fault</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>note</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>tcpsim::gui::ExportDialog</name>
    <message>
        <source>The time window cannot start before 0 s.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The time window is empty: from %1 is after to %2.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Unknown chart &apos;%1&apos;.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No endpoint &apos;%1&apos; in this scenario: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The PNG size must be between 1 and 20000 pixels (0 = natural size).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The resolution must be between 24 and 1200 dpi.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Unknown page size &apos;%1&apos; (expected A4 or Letter).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose a folder for the frames.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose a file to write.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 is a file, not a folder.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot write to %1: the folder %2 does not exist.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot write to %1: the folder is not writable.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Unknown format &apos;%1&apos; of %2 (expected .svg, .pdf or .png).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>(none)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 is a folder; choose a file name.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot write to %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export failed: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Time (s)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Source → Destination</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Flags</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Seq</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ack</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Len</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 packets; the first %2 are listed.</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%n packet(s).</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>%1 lines; the first %2 are shown.</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%n line(s), %1 bytes.</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>The preview could not be drawn.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Drawing %1 × %2 px.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The preview shows its top part.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Packet timeline (ladder diagram)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>State diagrams</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Chart</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Animation frames (PNG folder)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Capture for Wireshark (pcap)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Mermaid sequence diagram</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>PlantUML sequence diagram</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Graphviz DOT state machine</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>JSONL trace</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>CSV of socket counts per state</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Both endpoints</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Client</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Server</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Endpoints:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sockets per state</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Endpoint states</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Seq / ack</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Chart:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Format:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>start</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>end</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Virtual time, e.g. 1.5s, 200ms, 40us or a number of seconds</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Whole scenario</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Up to the cursor</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>from</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>to</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Time window:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>auto</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>PNG size:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Resolution:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>One page, the size of the drawing</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A4 pages</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Letter pages</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>PDF pages:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Labels:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Include dropped segments</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Capture at the sender: a segment the network dropped was still sent. Without them the capture is taken after the loss point.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Capture:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Save to:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Close</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Preview</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot read the %1 time &apos;%2&apos; (write e.g. 1.5s, 200ms or 40us).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose the folder for frame-0001.png, frame-0002.png, …</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose the file</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Folder for the frames</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>SVG (*.svg);;PDF (*.pdf);;PNG (*.png)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 (*.%2)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>All files (*)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export to</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open a scenario first.</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%n frame(s) of the main view as it is now (%1 × %2 px), one per event.</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>%1 already has frames. Replace them?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 exists. Replace it?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Replace?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Exported %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A big workload keeps no trace to export.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>tcpsim::gui::Inspector</name>
    <message>
        <source>Field</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Value</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>State</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>not created yet</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Local</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Remote</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Send buffer</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%n byte(s)</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>Receive buffer (unread)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>RTO</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Retransmissions</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Timer %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 left</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Timers</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>none armed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Held by</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>no process (orphan)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>—</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Selected segment</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Source</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Destination</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Flags</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sequence number</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Acknowledgement number</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>— (no ACK flag)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Window</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Payload length</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sent at</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Delivered at</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Dropped at</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Retransmission</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>yes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>delayed ACK</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>TIME_WAIT</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>FIN_WAIT_2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>keepalive</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>linger</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 (pid %2)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1  (relative %2)</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>tcpsim::gui::MainWindow</name>
    <message>
        <source>About tcpsim</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>tcpsim %1 — a TCP state-machine simulator for teaching and for understanding production incidents.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>tcpsim — %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>tcpsim</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Playback</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Language</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Open scenario…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Packet timeline (SVG, PDF, PNG)…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>State diagrams (SVG, PDF, PNG)…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Chart (SVG, PDF, PNG)…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Animation frames (PNG sequence)…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Full screen</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Zoom timeline in</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Zoom timeline out</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;About tcpsim</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>System language</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>|◀ Start</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>◀◀ State</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>◀ Step</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Step ▶</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>State ▶▶</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>End ▶|</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>❚❚ Pause</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>▶ Play</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Go to the start (Home)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Previous state change (Shift+Left)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>One event back (Left)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Play / pause (Space)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>One event forward (Right)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Next state change (Shift+Right)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Go to the end (End)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Scenarios and lesson</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Event log and inspector</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Filter by name, title or tag…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Packet timeline</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Charts</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Endpoint states</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sockets per state</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Seq / ack</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Connection:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Playback speed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Time scrubber: drag to move through the events</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not load %1 (the previous scenario stays loaded):
%2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not run %1 (the previous scenario stays loaded):
%2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Pick a scenario from the list, open a file (File → Open) or drop one here.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>References</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>t = %1 s   event %2 / %3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>At the start: nothing has happened yet.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open scenario</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Scenarios (*.yaml *.yml)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open a scenario first.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Scenario (tags)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Export as</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Export…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Capture for Wireshark (pcap)…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Mermaid sequence diagram…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>PlantUML sequence diagram…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Graphviz DOT state machine…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>JSONL trace…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>CSV of socket counts…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The time window is empty.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot create the folder %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 already has frames.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot write to %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Saving the frames…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot write %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancelled; no frames were written.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot move %1 into %2.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Running %1 counts-only (%2 connections)…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Big workload: this scenario opens about %1 connections, more than %2. Only the socket counts per state were kept (no trace), so the Sockets per state chart shows the run; the packet timeline, the state diagrams, the event log and the other charts need a scenario under %2 connections.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Exports need the trace, which a big workload does not keep. Use tcpsim export --chart states or --csv on the command line; they run counts-only too.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Time scale</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Lecture mode</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Large text and both lifelines for a projector (Ctrl+P)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Lecture view: diagrams and timeline / timeline / diagrams</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Hide what comes next</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Hide the next state and the segments not yet sent (H)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Compressed (long idle periods cut)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Linear (uniform time)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Textbook (one row per segment)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Time scale:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Compressed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Linear</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Textbook</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>How time maps to the packet timeline&apos;s vertical axis</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>t = %1 s   event %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Playback controls</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The run was cut short, so the views end early: %1</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>tcpsim::render</name>
    <message>
        <source>time (s)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>State of each endpoint over time</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sockets per state on each host</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>sockets</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Relative sequence and acknowledgement numbers</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>bytes (relative)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>now</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>dropped</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>retransmission</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>▶ current state</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>visited (numbered in order)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>latest transition</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Packet timeline: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>TCP state diagram: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the path each endpoint took, numbered in order</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>no socket counts to draw (empty series)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sockets per state, all hosts</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>time (s), counts every %1 (spikes: each interval&apos;s peak)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Step %1 of %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 timer fired</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 timer %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>signal %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 exited (%2)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 killed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 crashed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 rebooted</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>RST</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>dropped: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>≈ %1 later</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>segment from %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>RST (reset): thick, bar at the end</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>retransmission (dashed)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>dropped (cross)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>idle time left out</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>ABORT</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>discard</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>give up</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>host crashed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>rcv RST</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>rcv RST (TIME-WAIT assassination, tcp_rfc1337=0)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>close() with unread data</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>close() with SO_LINGER {on, 0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>rcv data after close()</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>accept queue full (tcp_abort_on_overflow=1)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>listener closed before accept()</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>listener closed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>new SYN for the same 4-tuple (RFC 1122 §4.2.2.13)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>rcv ACK of FIN; no TIME_WAIT: tcp_max_tw_buckets reached</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>rcv FIN</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>snd ACK; no TIME_WAIT: tcp_max_tw_buckets reached</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>TIME_WAIT socket reused for a new connection (tcp_tw_reuse=1)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>SYN retries exhausted (tcp_syn_retries)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>SYN,ACK retries exhausted (tcp_synack_retries)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>zero-window probes unanswered (tcp_retries2)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>zero-window probes unanswered (tcp_orphan_retries)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>retransmissions exhausted (tcp_retries2)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>retransmissions exhausted (tcp_orphan_retries)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>keepalive: peer not answering (tcp_keepalive_probes)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>state lost</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>snd RST</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>snd ACK</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>snd FIN</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>snd SYN</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>snd SYN,ACK</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>retransmit SYN</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>retransmit SYN,ACK</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>retransmit FIN</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>retransmit data</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>rcv FIN / snd ACK, restart 2MSL</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>tcpsim::render::cause</name>
    <message>
        <source>retransmitted FIN in TIME_WAIT: ACK it again, restart 2MSL</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>SYN on a synchronized connection: challenge ACK</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>no TIME_WAIT: tcp_max_tw_buckets reached</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>keepalive: peer not answering</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>listener closed before accept()</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>close() with SO_LINGER {on, 0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>close() with unread data</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>no socket for this segment</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>retransmissions exhausted</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>SYN,ACK retries exhausted</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>SYN retries exhausted</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>host crashed: state lost</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>TIME-WAIT assassination</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>accept queue full</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>SYN dropped</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>data after close()</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>listener closed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>host crashed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>2MSL timeout</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>active open</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>passive open</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>ACK of FIN</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>ACK of SYN</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>restart 2MSL</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>fault rule</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>keepalive probe</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>no route to</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>no link between</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>dropped</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>timeout</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>rcv </source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>snd </source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>tail loss probe: the last segment is sent again before the RTO</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>old segment in TIME_WAIT: ACK it (it cannot reach a new connection)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>other descriptor(s) (dup() or a forked child) still refer to the socket: no FIN is sent</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>segment not acceptable (outside the receive window): ACK and drop</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>in-window RST with unexpected sequence number: challenge ACK</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>SO_RCVBUF is recorded but the model keeps the host&apos;s receive buffer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>a concurrent loop without count or every would never end: stopped</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>send() failed with EPIPE; this thread stops (on_error: stop)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>ACK for data not yet sent: ACK and drop</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>FIN out of order: waits for the missing data</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>out-of-window RST in TIME_WAIT: ignored</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>segment without SYN or RST in SYN_SENT</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>segment without SYN to a listening socket</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>RST with unacceptable ACK in SYN_SENT</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>RST to a listening socket: ignored</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>RST for no socket: discarded</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>RST outside the receive window</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>RST without ACK in SYN_SENT</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>RST ignored in TIME_WAIT</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>out-of-order segment queued</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>handshake ACK dropped</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>segment without ACK</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>zero-window probe</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>segment held back</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>by a fault rule</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>this thread stops</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>RST in reply: </source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>: dropped</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>: ignored</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the scenario&apos;s fault rule</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>give up: </source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>discard: </source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>ABORT: </source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>epoll loop stopped after</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>wake-ups</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>tcpsim::render::describe</name>
    <message>
        <source>send</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>deliver</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>DROP</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>armed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>fired</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>cancelled</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>started</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>exited</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>killed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>crashed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>rebooted</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>delayed ACK</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>keepalive</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>linger</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 %2 &gt; %3 [%4] win %5</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>(retransmission)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 %2 timer %3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>, fires at %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: signal %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> status %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>fault: %1</source>
        <translation type="unfinished"></translation>
    </message>
</context>
</TS>
