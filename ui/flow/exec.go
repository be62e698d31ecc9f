package flow

import "sync"

// QueueExecutor queues tasks until Drain runs them: deterministic card I/O
// for tests, headless UI tests and kioskctl simulate. Safe for concurrent use.
type QueueExecutor struct {
	mu    sync.Mutex
	tasks []func() Event
}

// Run queues task.
func (q *QueueExecutor) Run(task func() Event) {
	q.mu.Lock()
	q.tasks = append(q.tasks, task)
	q.mu.Unlock()
}

// Pending is the number of queued tasks.
func (q *QueueExecutor) Pending() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.tasks)
}

// Step runs the oldest queued task and returns its event (nil, false if none).
func (q *QueueExecutor) Step() (Event, bool) {
	q.mu.Lock()
	if len(q.tasks) == 0 {
		q.mu.Unlock()
		return nil, false
	}
	t := q.tasks[0]
	q.tasks[0] = nil
	q.tasks = q.tasks[1:]
	q.mu.Unlock()
	return t(), true
}

// Drain runs queued tasks, feeding each result to m, until none is left, and
// returns the last snapshot.
func (q *QueueExecutor) Drain(m *Machine) Snapshot {
	for {
		ev, ok := q.Step()
		if !ok {
			return m.Snapshot()
		}
		m.Handle(ev)
	}
}
