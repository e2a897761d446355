// On-chip write-verify engine: executes a PROGRAM batch under the policy registers.
//
// The algorithm is hil/device/write_verify.py `ispp_program` (NeuRRAM's ISPP, Wan et al.,
// Nature 608, 2022): one initial verify read of every entry, then passes over the still-active
// entries; per entry and pass the engine decides on its last verify read (inside the band:
// CONVERGED; ramp of PULSES_PER_RAMP pulses used up: STUCK if it moved less than its tolerance,
// else NOT_CONVERGED; a new polarity starts a ramp at V_START; more than 2 * MAX_ITERATIONS ramps:
// NOT_CONVERGED), pulses once at the ramp's amplitude (then amplitude += V_STEP, capped at
// V_STOP) and verifies at once. Bit-exact twin: FixedPointArray.program (hil/device/fixed_point.py).
//
// Noise order (the twin's): per visited entry, in batch order, the pulse's two draws (one cycle,
// lfsr step2), then VERIFY_N_DISCARD discarded and VERIFY_N_READS averaged reads of that cell
// (one draw per cycle). Amplitudes are applied in whole DAC steps (register code / dac_step).
//
// Cycles: load 8 per entry; per entry and pass 2 + N_DISCARD + N_READS (decide, pulse,
// reads), 1 for an entry that finishes; output PROGRAM_RESULT_BYTES (6) per entry. The active
// entries are kept as a compacted index list, so finished entries cost nothing in later passes. Entries are visited
// strictly one after another (no pipelining), so a batch naming one cell twice behaves as
// sequential read-modify-writes, as in the twin.
//
// Validation (before anything is applied, as hil/backends/protocol_chip.py): the first entry
// outside the chip is BAD_ADDRESS (DETAIL = entry index), else the first zero tolerance is
// BAD_ARGUMENT (DETAIL = entry index). cmd_exec checks the length and the empty batch.

// Lint waiver: `verilator --lint-only -Wall` over the rtl/ files without --top-module makes every
// leaf module a top level module; that is how the leaf modules are linted, not a design issue.
/* verilator lint_off MULTITOP */
module program_engine
  import hil_protocol_pkg::*;
  import device_pkg::*;
#(
  parameter int unsigned ROWS = 64,
  parameter int unsigned COLS = 128,
  localparam int unsigned Cells = ROWS * COLS,
  localparam int unsigned CellAw = (Cells > 1) ? $clog2(Cells) : 1,
  localparam int unsigned NumRegs = 14
) (
  input  logic                 clk_i,
  input  logic                 rst_ni,
  input  logic                 start_i,        // one cycle; n_entries_i is 1..128
  input  logic [7:0]           n_entries_i,
  input  logic [32*NumRegs-1:0] regs_i,        // regfile regs_o
  input  logic [63:0]          now_i,          // virtual time (us): t_write of pulsed cells
  // Request payload (frame_rx RAM, 1-cycle read latency)
  output logic [15:0]          pl_raddr_o,
  input  logic [7:0]           pl_rdata_i,
  // Cell memory (cell_array: synchronous read, one write port)
  output logic [CellAw-1:0]    cell_addr_o,
  input  cell_word_t           cell_rdata_i,
  output logic                 cell_we_o,
  output cell_word_t           cell_wdata_o,
  // Noise (lfsr)
  output logic                 rng_step_o,
  output logic                 rng_step2_o,
  input  logic [31:0]          rng_next_i,
  input  logic [31:0]          rng_next2_i,
  // Response RAM (status byte and results)
  output logic                 resp_we_o,
  output logic [10:0]          resp_waddr_o,
  output logic [7:0]           resp_wdata_o,
  // Completion: one-cycle done_o; OK with len_o response bytes in the RAM, or an error status
  output logic                 done_o,
  output status_e              status_o,
  output logic [15:0]          detail_o,
  output logic [15:0]          len_o
);

  localparam int unsigned MaxEntries = PROGRAM_REQ_MAX_ELEMENTS;
  localparam int unsigned EAw = $clog2(MaxEntries);
  localparam logic [1:0] RampNone = 2'd0;
  localparam logic [1:0] RampSet = 2'd1;
  localparam logic [1:0] RampReset = 2'd2;

  typedef struct packed {
    logic [CellAw-1:0] addr;
    logic [15:0]       target;
    logic [15:0]       tol;
    logic [15:0]       g;        // last verify read (conductance code)
    logic [15:0]       pulses;   // saturating
    logic [1:0]        outcome;
    logic [1:0]        ramp;
    logic [7:0]        rpulses;  // pulses of the current ramp (<= PULSES_PER_RAMP)
    logic [9:0]        ramps;    // ramps started (<= 2 * MAX_ITERATIONS + 1)
    logic [15:0]       gstart;   // g when the current ramp started
    logic [15:0]       amp;      // amplitude code of the ramp's next pulse
  } entry_t;

  typedef enum logic [2:0] {
    PIdle,
    PLoad,
    PCheck,
    PVisit,
    PPulse,
    PRead,
    POut
  } pstate_e;

  // Policy registers (the regfile's checks bound them: amplitudes and widths < 2^16, ramp and
  // iteration counts < 2^8, reads <= 64, discards <= 16)
  logic [15:0] set_start, set_stop, set_step, reset_start, reset_stop, reset_step;
  logic [15:0] set_width, reset_width;
  logic [7:0]  ppr, max_iter;
  logic [6:0]  n_reads, n_discard;

  /* verilator lint_off UNUSEDSIGNAL */
  logic [31:0] regs [NumRegs];  // READ_V, NOISE_SEED and the high bits are not used here
  /* verilator lint_on UNUSEDSIGNAL */
  always_comb begin
    for (int unsigned k = 0; k < NumRegs; k++) regs[k] = regs_i[32*k +: 32];
  end
  assign set_start   = regs[4'(REG_SET_V_START)][15:0];
  assign set_stop    = regs[4'(REG_SET_V_STOP)][15:0];
  assign set_step    = regs[4'(REG_SET_V_STEP)][15:0];
  assign reset_start = regs[4'(REG_RESET_V_START)][15:0];
  assign reset_stop  = regs[4'(REG_RESET_V_STOP)][15:0];
  assign reset_step  = regs[4'(REG_RESET_V_STEP)][15:0];
  assign set_width   = regs[4'(REG_SET_WIDTH)][15:0];
  assign reset_width = regs[4'(REG_RESET_WIDTH)][15:0];
  assign ppr         = regs[4'(REG_PULSES_PER_RAMP)][7:0];
  assign max_iter    = regs[4'(REG_MAX_ITERATIONS)][7:0];
  assign n_reads     = regs[4'(REG_VERIFY_N_READS)][6:0];
  assign n_discard   = regs[4'(REG_VERIFY_N_DISCARD)][6:0];

  // State
  pstate_e     state_d, state_q;
  entry_t      ent_q [MaxEntries];
  logic [EAw-1:0] act_q [MaxEntries];
  logic        ent_we, act_we;
  logic [EAw-1:0] ent_waddr, act_waddr, act_wdata;
  entry_t      ent_wdata;

  logic [7:0]  n_d, n_q, i_d, i_q, w_d, w_q, nact_d, nact_q;
  logic [10:0] j_d, j_q;        // payload byte counter (load), output byte counter
  logic [7:0]  eb_d [7];
  logic [7:0]  eb_q [7];
  logic        bad_addr_d, bad_addr_q, bad_tol_d, bad_tol_q;
  logic [7:0]  bad_addr_idx_d, bad_addr_idx_q, bad_tol_idx_d, bad_tol_idx_q;
  logic        pass0_d, pass0_q, set_d, set_q;
  logic [6:0]  rd_d, rd_q;
  logic [31:0] acc_d, acc_q;
  logic [15:0] amp_steps_d, amp_steps_q;
  logic [31:0] wq_set_d, wq_set_q, wq_reset_d, wq_reset_q;
  entry_t      cur_d, cur_q;
  cell_word_t  cw_d, cw_q;
  logic [2:0]  sub_d, sub_q;

  // The entry the visit works on
  logic [EAw-1:0] act_i;
  entry_t         e;
  assign act_i = act_q[i_q[EAw-1:0]];
  assign e     = ent_q[act_i];

  // Decision on the last verify read (ispp_program's loop body)
  logic signed [17:0] err, gdiff;
  logic [17:0]        abs_err, abs_gdiff;
  logic               in_band, want_set, exhausted, moved, new_ramp, out_of_ramps;
  logic [1:0]         want;
  logic [9:0]         ramps_new;
  logic [15:0]        amp_now, step_now, stop_now;
  logic [16:0]        amp_sum;

  always_comb begin
    err       = 18'($signed({2'b00, e.g})) - 18'($signed({2'b00, e.target}));
    abs_err   = err[17] ? 18'(-err) : 18'(err);
    gdiff     = 18'($signed({2'b00, e.g})) - 18'($signed({2'b00, e.gstart}));
    abs_gdiff = gdiff[17] ? 18'(-gdiff) : 18'(gdiff);
    in_band    = abs_err <= {2'b00, e.tol};
    want_set  = err[17];
    want      = want_set ? RampSet : RampReset;
    exhausted = !in_band && want == e.ramp && e.rpulses >= ppr;
    moved     = abs_gdiff >= {2'b00, e.tol};
    new_ramp  = want != e.ramp;
    ramps_new = new_ramp ? e.ramps + 10'd1 : e.ramps;
    out_of_ramps = ramps_new > {1'b0, max_iter, 1'b0};
    amp_now   = new_ramp ? (want_set ? set_start : reset_start) : e.amp;
    step_now  = want_set ? set_step : reset_step;
    stop_now  = want_set ? set_stop : reset_stop;
    amp_sum   = {1'b0, amp_now} + {1'b0, step_now};
  end

  // Verify read sample of the visited cell: the memory word on the initial pass, else the word
  // just written by the pulse.
  cell_word_t  rword;
  assign rword = pass0_q ? cell_rdata_i : cw_q;

  logic        last_read;
  assign last_read = (rd_q == n_discard + n_reads - 7'd1);

  // Loading: byte j-1 of the payload arrives while j is on the address bus
  logic [9:0]  jm1;
  logic [2:0]  jpos;
  logic [EAw-1:0] jidx;
  logic [15:0] ld_row, ld_col, ld_target, ld_tol;
  assign jm1       = 10'(j_q - 11'd1);
  assign jpos      = jm1[2:0];
  assign jidx      = jm1[EAw+2:3];
  assign ld_row    = {eb_q[1], eb_q[0]};
  assign ld_col    = {eb_q[3], eb_q[2]};
  assign ld_target = {eb_q[5], eb_q[4]};
  assign ld_tol    = {pl_rdata_i, eb_q[6]};

  // Output: result byte sub_q of entry j_q (g, pulses, outcome and iterations are sent)
  /* verilator lint_off UNUSEDSIGNAL */
  entry_t      oe;
  /* verilator lint_on UNUSEDSIGNAL */
  assign oe = ent_q[j_q[EAw-1:0]];

  // Polarity iterations of a result: ramps that applied a pulse (`ramps` is only updated when
  // pulsing) / 2, rounded up, saturating at 255.
  function automatic logic [7:0] iterations_of(logic [9:0] ramps);
    logic [10:0] half;
    half = (11'(ramps) + 11'd1) >> 1;
    return (half > 11'd255) ? 8'hFF : half[7:0];
  endfunction

  // The device arithmetic runs only in the states that use it (inside the case).
  always_comb begin
    logic keep, advance;
    /* verilator lint_off UNUSEDSIGNAL */
    longint sample;  // < 2^17; 32 bits are accumulated
    /* verilator lint_on UNUSEDSIGNAL */
    logic [31:0] acc_new;
    sample         = 64'sd0;
    acc_new        = 32'd0;
    state_d        = state_q;
    n_d            = n_q;
    i_d            = i_q;
    w_d            = w_q;
    nact_d         = nact_q;
    j_d            = j_q;
    for (int k = 0; k < 7; k++) eb_d[k] = eb_q[k];
    bad_addr_d     = bad_addr_q;
    bad_tol_d      = bad_tol_q;
    bad_addr_idx_d = bad_addr_idx_q;
    bad_tol_idx_d  = bad_tol_idx_q;
    pass0_d        = pass0_q;
    set_d          = set_q;
    rd_d           = rd_q;
    acc_d          = acc_q;
    amp_steps_d    = amp_steps_q;
    wq_set_d       = wq_set_q;
    wq_reset_d     = wq_reset_q;
    cur_d          = cur_q;
    cw_d           = cw_q;
    sub_d          = sub_q;

    ent_we       = 1'b0;
    ent_waddr    = act_i;
    ent_wdata    = cur_q;
    act_we       = 1'b0;
    act_waddr    = w_q[EAw-1:0];
    act_wdata    = act_i;
    pl_raddr_o   = {5'd0, j_q};
    cell_addr_o  = cur_q.addr;
    cell_we_o    = 1'b0;
    cell_wdata_o = cw_q;
    rng_step_o   = 1'b0;
    rng_step2_o  = 1'b0;
    resp_we_o    = 1'b0;
    resp_waddr_o = j_q;
    resp_wdata_o = ST_OK;
    done_o       = 1'b0;
    status_o     = ST_OK;
    detail_o     = NO_DETAIL;
    len_o        = 16'd1 + 16'(n_q) * 16'(PROGRAM_RSP_ELEMENT_BYTES);
    keep         = 1'b0;
    advance      = 1'b0;

    unique case (state_q)
      PIdle: begin
        if (start_i) begin
          n_d        = n_entries_i;
          j_d        = 11'd0;
          bad_addr_d = 1'b0;
          bad_tol_d  = 1'b0;
          state_d    = PLoad;
        end
      end

      PLoad: begin
        j_d = j_q + 11'd1;
        if (j_q != 11'd0) begin
          if (jpos != 3'd7) begin
            eb_d[jpos] = pl_rdata_i;
          end else begin
            if ((32'(ld_row) >= 32'(ROWS) || 32'(ld_col) >= 32'(COLS)) && !bad_addr_q) begin
              bad_addr_d     = 1'b1;
              bad_addr_idx_d = 8'(jidx);
            end
            if (ld_tol == 16'd0 && !bad_tol_q) begin
              bad_tol_d     = 1'b1;
              bad_tol_idx_d = 8'(jidx);
            end
            ent_we    = 1'b1;
            ent_waddr = jidx;
            ent_wdata = '{addr: CellAw'(32'(ld_row) * 32'(COLS) + 32'(ld_col)),
                          target: ld_target, tol: ld_tol, g: 16'd0, pulses: 16'd0,
                          outcome: 2'(CELL_OUTCOME_NOT_CONVERGED), ramp: RampNone,
                          rpulses: 8'd0, ramps: 10'd0, gstart: 16'd0, amp: 16'd0};
            act_we    = 1'b1;
            act_waddr = jidx;
            act_wdata = jidx;
          end
        end
        if (j_q == {n_q, 3'd0}) begin
          state_d = PCheck;
        end
      end

      PCheck: begin
        if (bad_addr_q) begin
          done_o   = 1'b1;
          status_o = ST_BAD_ADDRESS;
          detail_o = {8'd0, bad_addr_idx_q};
          state_d  = PIdle;
        end else if (bad_tol_q) begin
          done_o   = 1'b1;
          status_o = ST_BAD_ARGUMENT;
          detail_o = {8'd0, bad_tol_idx_q};
          state_d  = PIdle;
        end else begin
          wq_set_d   = 32'(isqrt(longint'(({48'd0, set_width} << 32) / 64'd100)));
          wq_reset_d = 32'(isqrt(longint'(({48'd0, reset_width} << 32) / 64'd100)));
          i_d     = 8'd0;
          w_d     = 8'd0;
          nact_d  = n_q;
          pass0_d = 1'b1;
          state_d = PVisit;
        end
      end

      // Decide on entry act[i]; the initial pass only reads.
      PVisit: begin
        cell_addr_o = e.addr;
        cur_d       = e;
        rd_d        = 7'd0;
        if (pass0_q) begin
          state_d = PRead;
        end else if (in_band || exhausted || out_of_ramps) begin
          ent_we    = 1'b1;
          ent_wdata = e;
          if (in_band) begin
            ent_wdata.outcome = 2'(CELL_OUTCOME_CONVERGED);
          end else if (exhausted && !moved) begin
            ent_wdata.outcome = 2'(CELL_OUTCOME_STUCK);
          end
          advance = 1'b1;
        end else begin
          cur_d.ramp    = want;
          cur_d.ramps   = ramps_new;
          cur_d.rpulses = new_ramp ? 8'd1 : e.rpulses + 8'd1;
          cur_d.gstart  = new_ramp ? e.g : e.gstart;
          cur_d.pulses  = (e.pulses == 16'hFFFF) ? e.pulses : e.pulses + 16'd1;
          cur_d.amp     = (amp_sum > {1'b0, stop_now}) ? stop_now : amp_sum[15:0];
          set_d         = want_set;
          amp_steps_d   = amp_now / 16'(REF_DAC_STEP);
          state_d       = PPulse;
        end
      end

      PPulse: begin
        rng_step2_o  = 1'b1;
        cw_d         = pulse_word(cell_rdata_i, set_q, longint'({48'd0, amp_steps_q}),
                                  longint'({32'd0, set_q ? wq_set_q : wq_reset_q}),
                                  gauss(rng_next_i), gauss(rng_next2_i), now_i);
        cell_we_o    = 1'b1;
        cell_wdata_o = cw_d;
        state_d      = PRead;
      end

      PRead: begin
        sample     = read_sample(rword, gauss(rng_next_i));
        acc_new    = (rd_q == n_discard) ? 32'(sample) : acc_q + 32'(sample);
        rng_step_o = 1'b1;
        rd_d       = rd_q + 7'd1;
        if (rd_q >= n_discard) begin
          acc_d = acc_new;
        end
        if (last_read) begin
          ent_we      = 1'b1;
          ent_wdata   = cur_q;
          ent_wdata.g = adc_code(acc_new, {1'b0, n_reads});
          keep        = 1'b1;
          advance     = 1'b1;
        end
      end

      POut: begin
        resp_we_o    = 1'b1;
        resp_waddr_o = 11'd1 + j_q * 11'(PROGRAM_RESULT_BYTES) + 11'(sub_q);
        unique case (sub_q)  // byte order of spec.toml's ProgramResult record
          3'd0: resp_wdata_o = oe.g[7:0];
          3'd1: resp_wdata_o = oe.g[15:8];
          3'd2: resp_wdata_o = oe.pulses[7:0];
          3'd3: resp_wdata_o = oe.pulses[15:8];
          3'd4: resp_wdata_o = {6'd0, oe.outcome};
          default: resp_wdata_o = iterations_of(oe.ramps);
        endcase
        sub_d = sub_q + 3'd1;
        if (sub_q == 3'(PROGRAM_RESULT_BYTES - 1)) begin
          sub_d = 3'd0;
          j_d   = j_q + 11'd1;
          if (j_q + 11'd1 == {3'd0, n_q}) begin
            done_o  = 1'b1;
            state_d = PIdle;
          end
        end
      end

      default: state_d = PIdle;
    endcase

    // Next entry of the pass (keep: stays active); at the end of a pass, start the next one.
    if (advance) begin
      if (keep) begin
        act_we    = 1'b1;
        act_waddr = w_q[EAw-1:0];
        act_wdata = act_i;
      end
      w_d     = w_q + (keep ? 8'd1 : 8'd0);
      i_d     = i_q + 8'd1;
      state_d = PVisit;
      if (i_q + 8'd1 == nact_q) begin
        nact_d  = w_d;
        i_d     = 8'd0;
        w_d     = 8'd0;
        pass0_d = 1'b0;
        if (nact_d == 8'd0) begin
          resp_we_o    = 1'b1;  // status byte; the results follow in POut
          resp_waddr_o = 11'd0;
          resp_wdata_o = ST_OK;
          j_d     = 11'd0;
          sub_d   = 3'd0;
          state_d = POut;
        end
      end
    end
  end

  always_ff @(posedge clk_i) begin
    if (ent_we) ent_q[ent_waddr] <= ent_wdata;
    if (act_we) act_q[act_waddr] <= act_wdata;
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      state_q        <= PIdle;
      n_q            <= 8'd0;
      i_q            <= 8'd0;
      w_q            <= 8'd0;
      nact_q         <= 8'd0;
      j_q            <= 11'd0;
      for (int k = 0; k < 7; k++) eb_q[k] <= 8'h00;
      bad_addr_q     <= 1'b0;
      bad_tol_q      <= 1'b0;
      bad_addr_idx_q <= 8'd0;
      bad_tol_idx_q  <= 8'd0;
      pass0_q        <= 1'b0;
      set_q          <= 1'b0;
      rd_q           <= 7'd0;
      acc_q          <= 32'd0;
      amp_steps_q    <= 16'd0;
      wq_set_q       <= 32'd0;
      wq_reset_q     <= 32'd0;
      cur_q          <= '0;
      cw_q           <= '0;
      sub_q          <= 3'd0;
    end else begin
      state_q        <= state_d;
      n_q            <= n_d;
      i_q            <= i_d;
      w_q            <= w_d;
      nact_q         <= nact_d;
      j_q            <= j_d;
      for (int k = 0; k < 7; k++) eb_q[k] <= eb_d[k];
      bad_addr_q     <= bad_addr_d;
      bad_tol_q      <= bad_tol_d;
      bad_addr_idx_q <= bad_addr_idx_d;
      bad_tol_idx_q  <= bad_tol_idx_d;
      pass0_q        <= pass0_d;
      set_q          <= set_d;
      rd_q           <= rd_d;
      acc_q          <= acc_d;
      amp_steps_q    <= amp_steps_d;
      wq_set_q       <= wq_set_d;
      wq_reset_q     <= wq_reset_d;
      cur_q          <= cur_d;
      cw_q           <= cw_d;
      sub_q          <= sub_d;
    end
  end

endmodule
